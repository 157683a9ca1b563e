package io.loomchat.server.internal;

import io.loomchat.core.ChatChannel;
import io.loomchat.server.ProxyHeader;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The PROXY headers of open connections, by their channel, for {@link ProxyHeader#of}. */
public final class ProxyHeaders {
    private static final Map<ChatChannel, ProxyHeader> HEADERS = new ConcurrentHashMap<>();

    private ProxyHeaders() {
    }

    /**
     * {@return the header of {@code channel}'s connection, or null}
     *
     * @param channel a connection's channel
     */
    public static ProxyHeader get(ChatChannel channel) {
        return HEADERS.get(channel);
    }

    static void put(ChatChannel channel, ProxyHeader header) {
        HEADERS.put(channel, header);
    }

    static void remove(ChatChannel channel) {
        HEADERS.remove(channel);
    }
}

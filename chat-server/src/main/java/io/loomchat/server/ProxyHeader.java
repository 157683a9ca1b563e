package io.loomchat.server;

import io.loomchat.core.ChatChannel;
import io.loomchat.server.internal.ProxyHeaders;
import java.net.SocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a balancer said about a connection in its PROXY protocol header (HAProxy's spec, version 1 or 2): the
 * client's address, the address the client connected to, and version 2's extensions. A session of a server
 * built with {@link ChatServer.Builder#proxyProtocol} finds it with {@link #of(ChatChannel)}; its channel's
 * {@code remoteAddress()} is already the client's.
 *
 * {@snippet :
 * SessionFactory factory = channel -> {
 *     String to = ProxyHeader.of(channel).map(h -> String.valueOf(h.destination())).orElse("direct");
 *     channel.push("you are " + channel.remoteAddress() + ", connected to " + to + "\r\n");
 *     return new Echo(channel);
 * };
 * }
 *
 * @param version 1 (the text header) or 2 (the binary one)
 * @param source the client's address, or null if the header carried none (a version 1 {@code UNKNOWN}, a
 *     version 2 {@code LOCAL} command such as a health check, or an unspecified family): the session then sees
 *     the balancer's own address
 * @param destination the address the client connected to (the balancer's listener), or null as for source
 * @param tlvs version 2's type-length-value extensions in the order sent, empty for version 1
 */
public record ProxyHeader(int version, SocketAddress source, SocketAddress destination, List<Tlv> tlvs) {
    /** Version 2's extension type of the ALPN protocol the client chose (such as {@code h2}). */
    public static final int ALPN = 0x01;
    /** Version 2's extension type of the host name the client asked for (TLS SNI, or the like). */
    public static final int AUTHORITY = 0x02;
    /** Version 2's extension type of the balancer's unique ID of the connection. */
    public static final int UNIQUE_ID = 0x05;

    /** Checks the version and copies the extensions. */
    public ProxyHeader {
        if (version != 1 && version != 2) throw new IllegalArgumentException("version not 1 or 2: " + version);
        tlvs = List.copyOf(tlvs);
    }

    /**
     * {@return the header the connection of {@code channel} arrived with} Empty when the connection had none:
     * the server does not use the PROXY protocol, or (in optional mode) the peer sent none, or is not trusted.
     *
     * @param channel a channel of a {@link ChatServer}'s connection
     */
    public static Optional<ProxyHeader> of(ChatChannel channel) {
        return Optional.ofNullable(ProxyHeaders.get(Objects.requireNonNull(channel, "channel")));
    }

    /**
     * {@return the value of the first extension of type {@code type}} Empty if there is none.
     *
     * @param type the extension's type, such as {@link #AUTHORITY}
     */
    public Optional<Tlv> tlv(int type) {
        return tlvs.stream().filter(t -> t.type() == type).findFirst();
    }

    /**
     * One of version 2's type-length-value extensions, as sent: the balancer's CRC32C (type 3) is not checked.
     *
     * @param type the type, 0 to 255
     * @param value the value's bytes
     */
    public record Tlv(int type, byte[] value) {
        /** Checks the type and copies the value. */
        public Tlv {
            if (type < 0 || type > 255) throw new IllegalArgumentException("type not in 0..255: " + type);
            value = value.clone();
        }

        /** {@return a copy of the value's bytes} */
        @Override
        public byte[] value() {
            return value.clone();
        }

        /** {@return the value as UTF-8 text, as {@link #AUTHORITY} and {@link #ALPN} are} */
        public String text() {
            return new String(value, java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}

package io.loomchat.server;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatSession;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A session that says first who its peer is ({@code "you are ADDRESS to DESTINATION"}, the destination from
 * the PROXY header, or {@code -}), then echoes each line it reads as {@code "echo LINE"}.
 */
final class Identify implements ChatSession {
    private final ChatChannel channel;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    Identify(ChatChannel channel) {
        this.channel = channel;
        channel.setTerminator("\n");
        String destination = ProxyHeader.of(channel).map(h -> String.valueOf(h.destination())).orElse("-");
        channel.push("you are " + channel.remoteAddress() + " to " + destination + "\n");
    }

    @Override
    public void collectIncomingData(byte[] data) {
        line.writeBytes(data);
    }

    @Override
    public void foundTerminator() {
        channel.push("echo " + line.toString(StandardCharsets.ISO_8859_1) + "\n");
        line.reset();
    }
}

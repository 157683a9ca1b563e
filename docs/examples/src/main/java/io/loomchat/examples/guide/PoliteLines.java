package io.loomchat.examples.guide;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatLimitException;
import io.loomchat.core.ChatSession;
import java.io.ByteArrayOutputStream;

/**
 * A line echo server ({@code \r\n} lines) that tells a peer which limit it broke before the connection closes:
 * {@code -ERR maxMessageSize exceeded}, {@code -ERR idleTimeout exceeded}.
 */
public final class PoliteLines implements ChatSession {
    private final ChatChannel channel;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    /** Starts a session that echoes lines. */
    public PoliteLines(ChatChannel channel) {
        this.channel = channel;
        channel.setTerminator("\r\n");
    }

    @Override
    public void collectIncomingData(byte[] data) {
        line.writeBytes(data);
    }

    @Override
    public void foundTerminator() {
        line.write('\r');
        line.write('\n');
        channel.push(line.toByteArray());
        line.reset();
    }

    @Override
    public void handleError(ChatChannel channel, Throwable error) {
        if (error instanceof ChatLimitException limit) {
            channel.push("-ERR " + limit.limit() + " exceeded\r\n");  // then loomchat closes when it is written
        } else {
            ChatSession.super.handleError(channel, error);
        }
    }
}

package io.loomchat.examples.guide;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatSession;
import io.loomchat.core.Terminator;
import java.io.ByteArrayOutputStream;

/**
 * A line echo that takes {@code "\r\n"} or a bare {@code "\n"} as a line's end, and answers each line with the
 * end it came with: {@link Terminator#anyOf(String...)} splits the lines, {@link ChatChannel#lastDelimiter()}
 * says which end each had.
 */
public final class LenientLines implements ChatSession {
    private final ChatChannel channel;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    /** Starts a session on lines ended by {@code "\r\n"} or {@code "\n"}. */
    public LenientLines(ChatChannel channel) {
        this.channel = channel;
        channel.setTerminator(Terminator.anyOf("\r\n", "\n")); // "a\r\n" is "a", not "a\r"
    }

    @Override
    public void collectIncomingData(byte[] data) {
        line.writeBytes(data);
    }

    @Override
    public void foundTerminator() {
        line.writeBytes(channel.lastDelimiter().bytes()); // the "\r\n" or "\n" that ended this line
        channel.push(line.toByteArray());
        line.reset();
    }
}

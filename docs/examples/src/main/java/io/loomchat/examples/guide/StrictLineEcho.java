package io.loomchat.examples.guide;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatProtocolException;
import io.loomchat.core.ChatSession;
import io.loomchat.core.Terminator;
import java.io.ByteArrayOutputStream;

/**
 * A line echo for a protocol whose lines end in {@code "\r\n"} and nothing else, as SMTP's: a bare {@code "\r"}
 * or {@code "\n"} gets an SMTP-style refusal, and the connection closes once it is written. A peer cannot make
 * this server see a line end where a lenient one would not (SMTP smuggling).
 */
public final class StrictLineEcho implements ChatSession {
    private final ChatChannel channel;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    /** Starts a session on strict {@code "\r\n"} lines. */
    public StrictLineEcho(ChatChannel channel) {
        this.channel = channel;
        channel.setTerminator(Terminator.strictLines());
    }

    @Override
    public void collectIncomingData(byte[] data) {
        line.writeBytes(data);
    }

    @Override
    public void foundTerminator() {
        line.writeBytes(new byte[] {'\r', '\n'});
        channel.push(line.toByteArray());
        line.reset();
    }

    @Override
    public void handleError(ChatChannel channel, Throwable error) {
        if (error instanceof ChatProtocolException e && e.rule().equals(ChatProtocolException.BARE_LINE_END)) {
            channel.push("500 5.5.2 bare CR or LF in a line\r\n"); // written; then the connection closes
        } else {
            ChatSession.super.handleError(channel, error);
        }
    }
}

package io.loomchat.examples.guide;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatSession;
import io.loomchat.server.ChatServer;
import java.io.ByteArrayOutputStream;

/** A line echo server on port 7000: every line it gets, it sends back. */
public final class LineEcho implements ChatSession {
    private final ChatChannel channel;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    public LineEcho(ChatChannel channel) {
        this.channel = channel;
        channel.setTerminator("\n");                 // asynchat: set_terminator(b"\n")
    }

    @Override public void collectIncomingData(byte[] data) { line.writeBytes(data); }

    @Override public void foundTerminator() {
        channel.push(line.toByteArray());            // asynchat: push(...)
        channel.push("\n");
        line.reset();
    }

    public static void main(String[] args) throws Exception { ChatServer.listen(7000, LineEcho::new).awaitClose(); }
}

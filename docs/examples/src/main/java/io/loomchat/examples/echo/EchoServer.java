package io.loomchat.examples.echo;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatSession;
import io.loomchat.core.Terminator;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Echoes one message and closes: the asynchat echo server of PyMOTW, line for line.
 *
 * <p>The client sends {@code ECHO <n>\n} and then {@code n} bytes. The session reads the command with a line
 * terminator, switches to a count terminator for the {@code n} bytes, pushes them back and closes once they are
 * written. A malformed command gets {@code ERR ...\n} and the connection closes.
 *
 * {@snippet :
 * ChatServer server = ChatServer.listen(7001, EchoServer::new);
 * }
 */
public final class EchoServer implements ChatSession {
    /** The largest message accepted, in bytes. */
    public static final long MAX_LENGTH = 16 * 1024 * 1024;

    private enum State { COMMAND, MESSAGE, DONE }

    private final ChatChannel channel;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private State state = State.COMMAND;

    /** Starts a session that waits for the {@code ECHO <n>} line. */
    public EchoServer(ChatChannel channel) {
        this.channel = channel;
        channel.setTerminator("\n");
    }

    @Override
    public void collectIncomingData(byte[] data) {
        if (state != State.DONE) received.writeBytes(data);
    }

    @Override
    public void foundTerminator() {
        switch (state) {
            case COMMAND -> processCommand();
            case MESSAGE -> processMessage();
            case DONE -> { }
        }
    }

    private void processCommand() {
        String command = received.toString(StandardCharsets.US_ASCII).strip();
        received.reset();
        long length = parseLength(command);
        if (length < 0) {
            finish(("ERR expected ECHO <n> with n in 0.." + MAX_LENGTH + "\n").getBytes(StandardCharsets.US_ASCII));
        } else if (length == 0) {
            finish(new byte[0]); // a count of 0 would mean "no terminator": nothing to wait for
        } else {
            state = State.MESSAGE;
            channel.setTerminator(length);
        }
    }

    private void processMessage() {
        finish(received.toByteArray());
    }

    /** Pushes the reply, closes once it is written, and ignores whatever else arrives. */
    private void finish(byte[] reply) {
        state = State.DONE;
        received.reset();
        channel.setTerminator(Terminator.none());
        channel.push(reply);
        channel.closeWhenDone();
    }

    /** Returns n from {@code ECHO <n>}, or -1 if the command is anything else. */
    private static long parseLength(String command) {
        String[] parts = command.split(" ", -1);
        if (parts.length != 2 || !parts[0].equals("ECHO") || !parts[1].matches("[0-9]{1,9}")) return -1;
        long length = Long.parseLong(parts[1]);
        return length <= MAX_LENGTH ? length : -1;
    }
}

package io.loomchat.testkit.internal;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

/** A peer that is a session in memory: a send is one read of its connection, and returns once dispatched. */
public final class SessionPeer implements Peer {
    /** Frames of a session's error shown in a failure message. */
    private static final int MAX_FRAMES = 12;

    private final InMemoryConnection connection;
    private final String description;
    private int position;

    /** Returns a peer over {@code connection}; closing the peer closes the connection. */
    public SessionPeer(InMemoryConnection connection, String description) {
        this.connection = connection;
        this.description = description;
    }

    @Override
    public void send(byte[] data) {
        connection.feed(data);
    }

    @Override
    public void shutdownOutput() {
        connection.endInput();
    }

    @Override
    public int receive(byte[] buffer, long deadline) throws IOException {
        int n = connection.read(position, buffer, deadline);
        if (n > 0) position += n;
        return n;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public String diagnostics() {
        List<Throwable> errors = connection.errors();
        if (errors.isEmpty()) return "";
        StringBuilder sb = new StringBuilder();
        for (Throwable error : errors) sb.append("the session's handleError was called with:\n").append(trace(error));
        return sb.toString();
    }

    private static String trace(Throwable error) {
        StringWriter text = new StringWriter();
        error.printStackTrace(new PrintWriter(text));
        String[] lines = text.toString().split("\\R");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.length && i <= MAX_FRAMES; i++) sb.append("  ").append(lines[i]).append('\n');
        if (lines.length > MAX_FRAMES + 1) sb.append("  ...\n");
        return sb.toString();
    }

    @Override
    public void close() {
        connection.close();
    }
}

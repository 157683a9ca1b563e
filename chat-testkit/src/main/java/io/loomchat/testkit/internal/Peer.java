package io.loomchat.testkit.internal;

import java.io.IOException;

/** The other end of a conversation: a socket, or a session in memory. Used by one thread at a time. */
public interface Peer extends AutoCloseable {

    /** Sends {@code data} as one write, flushed. */
    void send(byte[] data) throws IOException;

    /** Half-closes: the peer reads end of stream once it has read everything sent. */
    void shutdownOutput() throws IOException;

    /**
     * Receives into {@code buffer}, waiting until something arrives, the stream ends, or {@code deadline} (a
     * {@link System#nanoTime()} value) passes.
     *
     * @return the number of bytes received; -1 at the end of the stream; 0 at the deadline
     */
    int receive(byte[] buffer, long deadline) throws IOException;

    /** Names the peer in failure messages: {@code 127.0.0.1:7000}, or the in-memory session. */
    String describe();

    /** Returns lines that a failure message should add about the peer (errors of its session), or "". */
    default String diagnostics() {
        return "";
    }

    /** Closes the connection to the peer. */
    @Override
    void close();
}

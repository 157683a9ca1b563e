package io.loomchat.core;

import io.loomchat.core.internal.Connection;
import io.loomchat.core.internal.Endpoint;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Objects;

/**
 * A running connection: a session reading and writing one stream pair on virtual threads.
 *
 * <p>{@code ChatServer} and {@code ChatClient} make these over sockets; {@link #start} makes one over any
 * input and output stream (a process's pipes, a serial port, a test's in-memory streams). The connection
 * thread creates the session, reads the input, calls the session and writes what its callbacks push; a pump
 * thread, started when output needs one, writes the rest of the output queue (other threads' pushes,
 * producers). Closing the connection closes both streams.
 */
public interface ChatConnection extends AutoCloseable {

    /**
     * Starts a connection over {@code in} and {@code out} with the default options. Returns at once; the
     * session is created on the connection's own virtual thread.
     *
     * @param in the input the session reads
     * @param out the output its pushes are written to
     * @param factory creates the session
     * @return the running connection
     */
    static ChatConnection start(InputStream in, OutputStream out, SessionFactory factory) {
        return start(in, out, ChatOptions.defaults(), factory);
    }

    /**
     * Starts a connection over {@code in} and {@code out}. Returns at once; the session is created on the
     * connection's own virtual thread. Closing the connection closes both streams, which must unblock a
     * read in progress (sockets and most pipes do).
     *
     * @param in the input the session reads
     * @param out the output its pushes are written to
     * @param options the buffer sizes and limits of the connection
     * @param factory creates the session
     * @return the running connection
     */
    static ChatConnection start(InputStream in, OutputStream out, ChatOptions options, SessionFactory factory) {
        Connection connection = Connection.create(Endpoint.of(in, out), options, factory);
        connection.start();
        return connection;
    }

    /** {@return this connection's channel} It works before the session exists. */
    ChatChannel channel();

    /**
     * Waits until the connection has closed and its session's {@link ChatSession#closed()} has returned.
     *
     * @param timeout how long to wait at most
     * @return false if it was still open when the timeout ran out
     * @throws InterruptedException if the waiting thread was interrupted
     */
    boolean awaitClosed(Duration timeout) throws InterruptedException;

    /** {@return whether the connection has closed and its session was told} */
    boolean isClosed();

    /** Closes the connection now, like {@link ChatChannel#close()}, without waiting for it to end. */
    @Override
    void close();
}

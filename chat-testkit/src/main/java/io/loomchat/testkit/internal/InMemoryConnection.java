package io.loomchat.testkit.internal;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatConnection;
import io.loomchat.core.ChatOptions;
import io.loomchat.core.SessionFactory;
import io.loomchat.core.internal.Connection;
import io.loomchat.core.internal.Endpoint;
import io.loomchat.core.internal.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real loomchat connection over in-memory streams that the test controls: the engine of
 * {@code SessionHarness}, of in-memory conversations and of the in-memory fragmentation proof.
 *
 * <p>Each {@link #feed} is exactly one read of the connection, and returns when the connection thread has
 * dispatched it and come back for more input (or the connection closed), and the pump has written everything
 * queued meanwhile. The pump part is a barrier: a producer queued behind the session's output, whose
 * {@code more()} the pump calls only after writing and flushing everything before it. So a synchronous session
 * is tested with no sleeps, on the same threads as over a socket.
 *
 * <p>Methods other than {@link #read} are for the test's thread.
 */
public final class InMemoryConnection implements AutoCloseable {
    private final InMemoryPipes pipes = new InMemoryPipes();
    private final ConcurrentLinkedQueue<Throwable> newErrors = new ConcurrentLinkedQueue<>();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final TranscriptLog log = new TranscriptLog();
    private final Duration timeout;
    /** Output already in {@link #log}. */
    private int loggedOutput;
    private boolean loggedEof;
    private volatile Thread connectionThread;
    private final ChatConnection connection;

    private InMemoryConnection(ChatOptions options, SessionFactory factory, Duration timeout) {
        this.timeout = timeout;
        SessionFactory observed = ObservedSessions.observe(factory, new ObservedSessions.Listener() {
            @Override
            public void failed(ChatChannel channel, Throwable error) {
                errors.add(error);
                newErrors.add(error);
            }
        });
        // A socket's transport: ending the input (a timeout's, a shutdown's) lets the session's goodbye out.
        Transport transport = new Transport() {
            @Override
            public void shutdownInput() {
                pipes.shutInput();
            }

            @Override
            public void close() throws IOException {
                try {
                    pipes.in().close();
                } finally {
                    pipes.out().close();
                }
            }
        };
        Connection running = Connection.create(new Endpoint(pipes.in(), pipes.out(), transport, null), options,
                channel -> {
                    connectionThread = Thread.currentThread();
                    return observed.create(channel);
                });
        this.connection = running;
        running.start();
    }

    /**
     * Starts a connection running {@code factory}'s session and returns once it waits for input, with anything
     * the session pushed on creation (a greeting) written.
     *
     * @param timeout how long each later step may wait for the session and its pump
     * @throws AssertionError if the session is still busy after {@code timeout}
     */
    public static InMemoryConnection start(ChatOptions options, SessionFactory factory, Duration timeout) {
        InMemoryConnection connection = new InMemoryConnection(Objects.requireNonNull(options, "options"),
                Objects.requireNonNull(factory, "factory"), Objects.requireNonNull(timeout, "timeout"));
        connection.settle("starting the session");
        return connection;
    }

    /**
     * Hands {@code bytes} to the connection as one read and returns once they are dispatched and the output
     * they caused is written; returns at once if the connection is closed.
     *
     * @throws IllegalStateException after {@link #endInput}
     * @throws AssertionError if the session or its pump is still busy after the timeout
     */
    public void feed(byte[] bytes) {
        if (!pipes.offer(bytes)) throw new IllegalStateException("feed() after endInput()");
        log.sent(bytes);
        settle("feeding " + Escapes.quote(bytes));
    }

    /**
     * Ends the input, as a peer's half-close does, and returns once the connection has written its output and
     * closed, as loomchat connections do at end of input.
     *
     * @throws AssertionError if it has not closed after the timeout
     */
    public void endInput() {
        pipes.endInput();
        log.shutdown();
        try {
            awaitEnded(System.nanoTime() + timeout.toNanos(), "ending the input");
        } finally {
            logNews();
        }
    }

    /** Waits until the reader wants more input, then until the pump has written what was queued before. */
    private void settle(String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            if (!pipes.awaitReaderIdle(deadline)) throw busy(what);
            long before = pipes.barriersRun();
            // Dropped if the session asked to close: the pump then closes the connection at its marker instead.
            connection.channel().pushWithProducer(pipes.barrier());
            if (!pipes.awaitBarrier(before, deadline)) {
                throw new AssertionError("the pump has not written the session's output "
                        + Durations.text(timeout) + " after " + what + ": is a producer blocked in more()?");
            }
            if (pipes.outputClosed()) awaitEnded(deadline, what);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while " + what, e);
        } finally {
            logNews();
        }
    }

    private void awaitEnded(long deadline, String what) {
        try {
            if (!connection.awaitClosed(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                throw busy(what + " (waiting for the connection to close)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while " + what, e);
        }
    }

    private AssertionError busy(String what) {
        Thread thread = connectionThread;
        StringBuilder sb = new StringBuilder("the session is still busy ").append(Durations.text(timeout))
                .append(" after ").append(what);
        if (thread != null && thread.isAlive()) {
            sb.append("; its connection thread ").append(thread.getName()).append(" is at:");
            for (StackTraceElement frame : thread.getStackTrace()) sb.append("\n\tat ").append(frame);
        }
        return new AssertionError(sb.toString());
    }

    /** Moves the output and errors that arrived since the last call into the log. */
    private void logNews() {
        byte[] all = pipes.output();
        if (all.length > loggedOutput) {
            byte[] news = Arrays.copyOfRange(all, loggedOutput, all.length);
            log.received(news, news.length);
            loggedOutput = all.length;
        }
        for (Throwable error; (error = newErrors.poll()) != null; ) log.note("the session failed: " + error);
        if (!loggedEof && connection.isClosed()) {
            loggedEof = true;
            log.eof();
        }
    }

    /** Returns everything the connection has written so far. */
    public byte[] output() {
        return pipes.output();
    }

    /**
     * Copies output from {@code position} on into {@code buffer}, waiting until there is some, the connection
     * closed, or {@code deadline} (a {@link System#nanoTime()} value) passed. Safe from any thread.
     *
     * @return the number of bytes copied; -1 at the end of the output; 0 at the deadline
     * @throws InterruptedIOException if interrupted
     */
    public int read(int position, byte[] buffer, long deadline) throws InterruptedIOException {
        try {
            return pipes.read(position, buffer, deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the session's output");
        }
    }

    /** Returns the connection's channel. */
    public ChatChannel channel() {
        return connection.channel();
    }

    /** Returns whether the connection has closed and its session was told. */
    public boolean isClosed() {
        return connection.isClosed();
    }

    /** Returns every error the session's error hook was given, oldest first. */
    public List<Throwable> errors() {
        return List.copyOf(errors);
    }

    /** Returns how long each step waits for the session. */
    public Duration timeout() {
        return timeout;
    }

    /** Returns the log of what was fed and written, in the order the test saw it. */
    public TranscriptLog log() {
        logNews();
        return log;
    }

    /** Closes the connection now and waits up to the timeout for its session to be told. */
    @Override
    public void close() {
        connection.close();
        try {
            connection.awaitClosed(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

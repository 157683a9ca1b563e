package io.loomchat.server.faults;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One client of the stall hunt: connects, holds one {@link StallConversation} (pipelined requests, every reply
 * checked), quits, and connects again until the workload's end. It publishes what the {@link StallMonitor} reads:
 * how many replies it waits for, and since when it has waited without one.
 */
final class StallClient {
    /** Every third client reads through a small receive buffer, so the server's pushes wait for its drains. */
    private static final int SMALL_RECEIVE_BUFFER = 4096;
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    final int id;
    private final int port;
    private final Random random;
    private final long endNanos;
    private final StallMonitor monitor;
    /** Replies (and the end of stream after a goodbye) asked for and not yet received. */
    final AtomicInteger outstanding = new AtomicInteger();
    /** When this client last received what it waited for, or began waiting. */
    volatile long lastProgress = System.nanoTime();
    /** The longest this client waited between two replies while it waited for one, in nanoseconds. */
    volatile long longestWait;
    /** When that wait ended, and what ended it. Reader thread only, read once the client is done. */
    long longestWaitEnd;
    String longestWaitFor;
    final AtomicLong connections = new AtomicLong();
    final AtomicLong replies = new AtomicLong();
    /** The conversation under way, for a stall report; null between connections. */
    volatile StallConversation current;
    private volatile boolean aborted;

    StallClient(int id, int port, long seed, long endNanos, StallMonitor monitor) {
        this.id = id;
        this.port = port;
        this.random = new Random(seed * 1_000_003L + id);
        this.endNanos = endNanos;
        this.monitor = monitor;
    }

    /** Converses, one connection after another, until the workload's end; throws what went wrong. */
    void run() throws Exception {
        while (!aborted && System.nanoTime() < endNanos) {
            try (Socket socket = connect()) {
                connections.incrementAndGet();
                StallConversation conversation = new StallConversation(this, socket, random);
                current = conversation;
                try {
                    conversation.run();
                } finally {
                    current = null;
                }
            }
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        try {
            if (id % 3 == 0) socket.setReceiveBufferSize(SMALL_RECEIVE_BUFFER);
            socket.connect(new InetSocketAddress("127.0.0.1", port), CONNECT_TIMEOUT_MILLIS);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) TimeUnit.NANOSECONDS.toMillis(readTimeoutNanos()));
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Whether the workload's time is up: the conversation says goodbye. */
    boolean timeUp() {
        return aborted || System.nanoTime() >= endNanos;
    }

    /** {@return how long a read waits before the client fails: well past the monitor's stall threshold} */
    long readTimeoutNanos() {
        return monitor.readTimeoutNanos();
    }

    boolean aborted() {
        return aborted;
    }

    /** Stops this client: its sockets close, so a blocked read or write ends. */
    void abort() {
        aborted = true;
        StallConversation c = current;
        if (c != null) c.closeSocket();
    }

    /** {@code count} more replies are asked for. */
    void asked(int count) {
        if (outstanding.getAndAdd(count) == 0) lastProgress = System.nanoTime();
    }

    /**
     * One of the replies asked for arrived ({@code kind}: 'r' in order, 'l' later, 'e' the end of stream), the one
     * to {@code what}.
     */
    void received(char kind, String what) {
        long now = System.nanoTime();
        long waited = now - lastProgress;
        if (waited > longestWait) {
            longestWait = waited;
            longestWaitEnd = now;
            longestWaitFor = what;
        }
        monitor.waited(waited);
        lastProgress = now;
        outstanding.decrementAndGet();
        replies.incrementAndGet();
        monitor.line(kind);
    }

    /** A broadcast arrived: progress for the run, though not what this client waits for. */
    void heard() {
        monitor.line('b');
    }

    /** The reader paused on purpose: the wait starts again after the pause, which is the client's own doing. */
    void pausedReading() {
        lastProgress = System.nanoTime();
    }

    /** {@return whether the client waits for a reply, and how long it has waited} In nanoseconds, or -1. */
    long waitingFor(long now) {
        return outstanding.get() > 0 ? now - lastProgress : -1;
    }
}

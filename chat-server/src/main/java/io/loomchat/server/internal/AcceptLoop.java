package io.loomchat.server.internal;

import io.loomchat.core.CloseReason;
import io.loomchat.core.internal.Connection;
import io.loomchat.server.ChatServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A server's listening socket, the virtual thread that accepts on it, and its open connections. */
public final class AcceptLoop {
    private static final Logger LOG = LoggerFactory.getLogger(AcceptLoop.class);
    /** Pause after a failed accept (say, out of file descriptors) before trying again. */
    private static final Duration ACCEPT_BACKOFF = Duration.ofMillis(100);
    /** How long close() waits, after the drain timeout, for the connections it closed and interrupted to end. */
    public static final Duration ABORT_GRACE = Duration.ofSeconds(1);

    private final ServerSocket serverSocket;
    private final InetSocketAddress address;
    private final ServerConfig config;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicBoolean closing = new AtomicBoolean();
    private final ServerCounters counters = new ServerCounters();
    /** What close() did; written before {@link #closed} opens. */
    private volatile ChatServer.ShutdownReport report;
    private Thread thread;

    private AcceptLoop(ServerSocket serverSocket, ServerConfig config) {
        this.serverSocket = serverSocket;
        this.address = (InetSocketAddress) serverSocket.getLocalSocketAddress();
        this.config = config;
    }

    /**
     * Binds the configured address and starts accepting on a virtual thread.
     *
     * @param config the address, limits and session factory
     * @return the running loop
     * @throws IOException if the address cannot be bound
     */
    public static AcceptLoop start(ServerConfig config) throws IOException {
        // Plain TCP even for TLS: each accepted socket gets its TLS layer on its own thread (SocketConnections).
        // A channel's socket, so that a plain connection's pump can gather its writes (SocketConnections).
        ServerSocket serverSocket = ServerSocketChannel.open().socket();
        try {
            serverSocket.setReuseAddress(true);
            serverSocket.bind(config.address(), config.backlog());
        } catch (IOException e) {
            serverSocket.close();
            throw e;
        }
        AcceptLoop loop = new AcceptLoop(serverSocket, config);
        loop.thread = Thread.ofVirtual().name("loomchat-accept-" + loop.address.getPort()).start(loop::run);
        LOG.info("listening on {}{}", loop.address, config.sslContext() == null ? "" : " (TLS)");
        return loop;
    }

    /** {@return the address and port the server listens on} */
    public InetSocketAddress address() {
        return address;
    }

    /** {@return the number of connections open now} */
    public int connectionCount() {
        return connections.size();
    }

    private void run() {
        while (!closing.get()) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                if (closing.get()) return;
                // Out of descriptors, or a connection reset before accept: wait a little and serve on.
                LOG.warn("accept failed on {}: {}; retrying in {} ms", address, e, ACCEPT_BACKOFF.toMillis());
                pause();
                continue;
            }
            counters.accepted.increment();
            if (connections.size() >= config.maxConnections()) {
                refuse(socket);
            } else {
                serve(socket);
            }
        }
    }

    private void serve(Socket socket) {
        try {
            Connection connection = SocketConnections.accepted(socket, config.sslContext(),
                    TlsLayer.server(config.sslParameters()), config.options(), config.factory());
            connection.onEnd(() -> ended(connection));
            connections.add(connection);
            connection.start();
            LOG.debug("{} accepted {}", connection.name(), socket.getRemoteSocketAddress());
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not start a connection for {}: {}", socket.getRemoteSocketAddress(), e.toString());
            closeQuietly(socket);
        }
    }

    private void ended(Connection connection) {
        if (connections.remove(connection)) counters.add(connection);  // unless reported hanging and counted then
    }

    /** Over maxConnections: say so (if configured) and close, on a thread of its own so accept goes on. */
    private void refuse(Socket socket) {
        counters.refused.increment();
        LOG.warn("refused {}: {} connections open, the maximum", socket.getRemoteSocketAddress(),
                config.maxConnections());
        Thread.ofVirtual().name("loomchat-refuse").start(() -> {
            try (socket) {
                if (config.refusal().length > 0 && config.sslContext() == null) {
                    socket.setSoTimeout(1000);
                    OutputStream out = socket.getOutputStream();
                    out.write(config.refusal());
                    out.flush();
                }
            } catch (IOException e) {
                LOG.debug("refusing {}: {}", socket.getRemoteSocketAddress(), e.toString());
            }
        });
    }

    private void pause() {
        try {
            Thread.sleep(ACCEPT_BACKOFF);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closing.set(true);
        }
    }

    /**
     * Blocks until the loop has been closed.
     *
     * @throws InterruptedException if the waiting thread was interrupted
     */
    public void awaitClosed() throws InterruptedException {
        closed.await();
    }

    /** {@return a snapshot of the counters, open connections included} */
    public ChatServer.Stats stats() {
        return counters.snapshot(connections);
    }

    /**
     * Stops accepting, asks every connection to finish (its session hears serverClosing, its queued output is
     * written), and, once the drain timeout has passed since this call, closes those still open and interrupts
     * their threads. Returns when every connection has ended, or {@link #ABORT_GRACE} after that at most: a
     * session that still does not return from its callback is reported, with where its thread is, and no longer
     * counted as open. A second call waits for the first and returns its report.
     *
     * @return what the close did
     */
    public ChatServer.ShutdownReport close() {
        if (!closing.compareAndSet(false, true)) {
            awaitQuietly();
            return report;
        }
        long start = System.nanoTime();
        long drainEnds = start + config.drainTimeout().toNanos();
        closeQuietly(serverSocket);
        int open = 0;
        int aborted = 0;
        long dropped = 0;
        int stuck = 0;
        try {
            // The accept thread ends as its socket closes; it never holds up the drain's deadline.
            thread.join(Duration.ofNanos(Math.max(1, drainEnds - System.nanoTime())));
            List<Connection> closingNow = List.copyOf(connections);
            open = closingNow.size();
            // In parallel, on threads of their own: ending a TLS connection can wait on its peer.
            for (Connection connection : closingNow) Thread.ofVirtual().start(connection::shutdown);
            if (!awaitConnections(drainEnds)) {
                LOG.info("{}: {} connections still open after the drain timeout; closing them", address,
                        connections.size());
                for (Connection connection : connections) {
                    long queued = connection.traffic().outputQueued();
                    if (connection.abort(CloseReason.SHUTDOWN)) {
                        aborted++;
                        dropped += queued;
                    }
                }
                if (!awaitConnections(System.nanoTime() + ABORT_GRACE.toNanos())) stuck = reportHanging();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            for (Connection connection : connections) {
                long queued = connection.traffic().outputQueued();
                if (connection.abort(CloseReason.SHUTDOWN)) {
                    aborted++;
                    dropped += queued;
                }
            }
        } finally {
            report = new ChatServer.ShutdownReport(open, Math.max(0, open - aborted), aborted, dropped, stuck,
                    Duration.ofNanos(System.nanoTime() - start));
            LOG.info("closed {}: {}", address, report);
            closed.countDown();
        }
        return report;
    }

    /**
     * Connections whose session ignored the interrupt: said once each, with where they are, and let go; returns
     * how many.
     */
    private int reportHanging() {
        int hanging = 0;
        for (Connection connection : connections) {
            if (connection.isOwnThread() || !connections.remove(connection)) continue;
            hanging++;
            counters.add(connection);
            StackTraceElement[] where = connection.where();
            StringBuilder frames = new StringBuilder();
            for (int i = 0; i < Math.min(where.length, 8); i++) frames.append("\n\tat ").append(where[i]);
            LOG.warn("{}: {}'s session did not return from its callback after close(); its thread is at:{}",
                    address, connection, frames);
        }
        return hanging;
    }

    /** Waits until every connection has ended, or {@code deadline} (a System.nanoTime value); false then. */
    private boolean awaitConnections(long deadline) throws InterruptedException {
        for (Connection connection : connections) {
            // close() called from a session's own callback: that connection ends after it returns.
            if (connection.isOwnThread()) continue;
            long left = deadline - System.nanoTime();
            if (left <= 0 || !connection.awaitClosed(Duration.ofNanos(left))) return false;
        }
        return true;
    }

    private void awaitQuietly() {
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            LOG.debug("close: {}", e.toString());
        }
    }
}

package io.loomchat.server.internal;

import io.loomchat.core.CloseReason;
import io.loomchat.core.internal.Connection;
import io.loomchat.server.ChatServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's listening socket (TCP, or a Unix domain socket), the virtual thread that accepts on it, and its
 * open connections. With the PROXY protocol, each accepted TCP connection first has its header read on a
 * thread of its own ({@link ProxyHandshake}); it counts against {@code maxConnections} meanwhile.
 */
public final class AcceptLoop {
    private static final Logger LOG = LoggerFactory.getLogger(AcceptLoop.class);
    /** Pause after a failed accept (say, out of file descriptors) before trying again. */
    private static final Duration ACCEPT_BACKOFF = Duration.ofMillis(100);
    /** How long close() waits, after the drain timeout, for the connections it closed and interrupted to end. */
    public static final Duration ABORT_GRACE = Duration.ofSeconds(1);

    private final ServerSocketChannel serverSocket;
    private final SocketAddress address;
    private final ServerConfig config;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    /** Accepted sockets whose PROXY protocol header is being read: closed by close(). */
    private final Set<Socket> handshaking = ConcurrentHashMap.newKeySet();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicBoolean closing = new AtomicBoolean();
    private final ServerCounters counters = new ServerCounters();
    /** What close() did; written before {@link #closed} opens. */
    private volatile ChatServer.ShutdownReport report;
    private Thread thread;

    private AcceptLoop(ServerSocketChannel serverSocket, ServerConfig config) throws IOException {
        this.serverSocket = serverSocket;
        this.address = serverSocket.getLocalAddress();
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
        boolean unix = config.address() instanceof UnixDomainSocketAddress;
        ServerSocketChannel serverSocket = unix
                ? ServerSocketChannel.open(StandardProtocolFamily.UNIX) : ServerSocketChannel.open();
        AcceptLoop loop;
        try {
            if (!unix) serverSocket.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            serverSocket.bind(config.address(), config.backlog());
            loop = new AcceptLoop(serverSocket, config);
        } catch (IOException e) {
            serverSocket.close();
            throw e;
        }
        String name = loop.address instanceof InetSocketAddress inet ? Integer.toString(inet.getPort()) : "unix";
        loop.thread = Thread.ofVirtual().name("loomchat-accept-" + name).start(loop::run);
        LOG.info("listening on {}{}{}", loop.address, config.sslContext() == null ? "" : " (TLS)",
                config.proxyProtocol() == null ? "" : " (" + config.proxyProtocol() + ")");
        return loop;
    }

    /** {@return the address and port, or the socket file, the server listens on} */
    public SocketAddress address() {
        return address;
    }

    /** {@return the number of connections open now, those whose PROXY protocol header is being read included} */
    public int connectionCount() {
        return connections.size() + handshaking.size();
    }

    private void run() {
        while (!closing.get()) {
            SocketChannel socket;
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
            if (connectionCount() >= config.maxConnections()) {
                refuse(socket);
            } else if (address instanceof UnixDomainSocketAddress) {
                serveUnix(socket);
            } else if (config.proxyProtocol() != null) {
                handshake(socket.socket());
            } else {
                serve(socket.socket());
            }
        }
    }

    private void serve(Socket socket) {
        try {
            start(SocketConnections.accepted(socket, config.sslContext(), TlsLayer.server(config.sslParameters()),
                    config.options(), config.factory()));
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not start a connection for {}: {}", socket.getRemoteSocketAddress(), e.toString());
            closeQuietly(socket);
        }
    }

    private void serveUnix(SocketChannel channel) {
        try {
            start(UnixConnections.create(channel, config.options(), config.factory()));
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not start a connection on {}: {}", address, e.toString());
            closeQuietly(channel);
        }
    }

    private void start(Connection connection) {
        connection.onEnd(() -> ended(connection));
        connections.add(connection);
        connection.start();
        LOG.debug("{} accepted {}", connection.name(), connection.remoteAddress());
    }

    /**
     * Reads the connection's PROXY protocol header on a thread of its own, then starts its connection with the
     * client's address; a connection refused for its header is closed with a log line, and has no session.
     */
    private void handshake(Socket socket) {
        handshaking.add(socket);
        Thread.ofVirtual().name("loomchat-proxy-" + socket.getPort()).start(() -> {
            SocketAddress peer = socket.getRemoteSocketAddress();
            ProxyHandshake.Outcome outcome;
            try {
                outcome = ProxyHandshake.read(socket, config.proxyProtocol(), handshakeTimeout());
            } catch (ProxyHandshake.Refused e) {
                LOG.warn("closing {} without a session: {}", peer, e.getMessage());
                handshaking.remove(socket);
                closeQuietly(socket);
                return;
            } catch (ProxyHandshake.ClosedEarly e) {
                LOG.debug("{} {}", peer, e.getMessage());
                handshaking.remove(socket);
                closeQuietly(socket);
                return;
            } catch (IOException e) {
                if (!closing.get()) LOG.warn("closing {} without a session: {}", peer, e.toString());
                handshaking.remove(socket);
                closeQuietly(socket);
                return;
            }
            try {
                Connection connection = SocketConnections.create(socket, outcome.leftover(),
                        outcome.header() == null || outcome.header().source() == null
                                ? peer : outcome.header().source(), TlsLayer.server(config.sslParameters()), config.options(),
                        config.factory());
                if (outcome.header() != null) ProxyHeaders.put(connection.channel(), outcome.header());
                Connection started = connection;
                started.onEnd(() -> {
                    if (outcome.header() != null) ProxyHeaders.remove(started.channel());
                    ended(started);
                });
                connections.add(started);
                handshaking.remove(socket);
                if (closing.get()) started.closeNow(CloseReason.SHUTDOWN);  // close() may have missed it
                started.start();
                LOG.debug("{} accepted {} through {}", started.name(), started.remoteAddress(), peer);
            } catch (IOException | RuntimeException e) {
                handshaking.remove(socket);
                LOG.warn("could not start a connection for {}: {}", peer, e.toString());
                closeQuietly(socket);
            }
        });
    }

    /** The connections' handshake timeout, or 10 seconds where that is zero (none): a header always has a bound. */
    private Duration handshakeTimeout() {
        Duration timeout = config.options().handshakeTimeout();
        return timeout.isZero() ? Duration.ofSeconds(10) : timeout;
    }

    private void ended(Connection connection) {
        if (connections.remove(connection)) counters.add(connection);  // unless reported hanging and counted then
    }

    /** Over maxConnections: say so (if configured) and close, on a thread of its own so accept goes on. */
    private void refuse(SocketChannel channel) {
        counters.refused.increment();
        SocketAddress peer = remote(channel);
        LOG.warn("refused {}: {} connections open, the maximum", peer, config.maxConnections());
        Thread.ofVirtual().name("loomchat-refuse").start(() -> {
            try (channel) {
                if (config.refusal().length > 0 && config.sslContext() == null) {
                    // A refusal is a few bytes: the socket buffer takes them without blocking.
                    OutputStream out = Channels.newOutputStream(channel);
                    out.write(config.refusal());
                    out.flush();
                }
            } catch (IOException e) {
                LOG.debug("refusing {}: {}", peer, e.toString());
            }
        });
    }

    private SocketAddress remote(SocketChannel channel) {
        try {
            SocketAddress peer = channel.getRemoteAddress();
            return peer instanceof UnixDomainSocketAddress ? address : peer;
        } catch (IOException e) {
            return address;
        }
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
        if (address instanceof UnixDomainSocketAddress unix) deleteSocketFile(unix);
        for (Socket socket : handshaking) closeQuietly(socket);
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

    private static void deleteSocketFile(UnixDomainSocketAddress unix) {
        try {
            Files.deleteIfExists(unix.getPath());
        } catch (IOException e) {
            LOG.warn("could not remove the socket file {}: {}", unix.getPath(), e.toString());
        }
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

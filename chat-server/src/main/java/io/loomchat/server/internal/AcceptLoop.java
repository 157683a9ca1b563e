package io.loomchat.server.internal;

import io.loomchat.core.ChatOptions;
import io.loomchat.core.SessionFactory;
import io.loomchat.core.internal.Connection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A server's listening socket and the virtual thread that accepts on it. */
public final class AcceptLoop {
    private static final Logger LOG = LoggerFactory.getLogger(AcceptLoop.class);
    /** Pause after a failed accept (say, out of file descriptors) before trying again. */
    private static final Duration ACCEPT_BACKOFF = Duration.ofMillis(100);
    /** How long close() waits for connection threads to end. */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final ServerSocket serverSocket;
    private final InetSocketAddress address;
    private final ChatOptions options;
    private final SessionFactory factory;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile boolean closing;
    private Thread thread;

    private AcceptLoop(ServerSocket serverSocket, ChatOptions options, SessionFactory factory) {
        this.serverSocket = serverSocket;
        this.address = (InetSocketAddress) serverSocket.getLocalSocketAddress();
        this.options = options;
        this.factory = factory;
    }

    /** Binds {@code address} and starts accepting on a virtual thread. */
    public static AcceptLoop start(InetSocketAddress address, int backlog, ChatOptions options,
                                   SessionFactory factory) throws IOException {
        ServerSocket serverSocket = new ServerSocket();
        try {
            serverSocket.setReuseAddress(true);
            serverSocket.bind(address, backlog);
        } catch (IOException e) {
            serverSocket.close();
            throw e;
        }
        AcceptLoop loop = new AcceptLoop(serverSocket, options, factory);
        loop.thread = Thread.ofVirtual().name("loomchat-accept-" + loop.address.getPort()).start(loop::run);
        LOG.info("listening on {}", loop.address);
        return loop;
    }

    public InetSocketAddress address() {
        return address;
    }

    public int connectionCount() {
        return connections.size();
    }

    private void run() {
        while (!closing) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                if (closing) return;
                // Out of descriptors, or a connection reset before accept: wait a little and serve on.
                LOG.warn("accept failed on {}: {}; retrying in {} ms", address, e.toString(), ACCEPT_BACKOFF.toMillis());
                pause();
                continue;
            }
            serve(socket);
        }
    }

    private void serve(Socket socket) {
        try {
            Connection connection = SocketConnections.create(socket, options, factory);
            connection.onEnd(() -> connections.remove(connection));
            connections.add(connection);
            connection.start();
            LOG.debug("{} accepted {}", connection.name(), socket.getRemoteSocketAddress());
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not start a connection for {}: {}", socket.getRemoteSocketAddress(), e.toString());
            try {
                socket.close();
            } catch (IOException ignored) {
                // already failing; the warning above says why
            }
        }
    }

    private void pause() {
        try {
            Thread.sleep(ACCEPT_BACKOFF);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closing = true;
        }
    }

    public void awaitClosed() throws InterruptedException {
        closed.await();
    }

    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        try {
            serverSocket.close();
        } catch (IOException e) {
            LOG.debug("closing {}: {}", address, e.toString());
        }
        try {
            thread.join(CLOSE_TIMEOUT);
            for (Connection connection : connections) connection.closeNow();
            long deadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos();
            for (Connection connection : connections) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !connection.awaitClosed(Duration.ofNanos(left))) {
                    LOG.warn("{} did not end within {}", connection, CLOSE_TIMEOUT);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            LOG.info("closed {}", address);
            closed.countDown();
        }
    }
}

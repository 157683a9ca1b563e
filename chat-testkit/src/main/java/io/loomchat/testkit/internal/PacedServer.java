package io.loomchat.testkit.internal;

import io.loomchat.core.ChatOptions;
import io.loomchat.core.SessionFactory;
import io.loomchat.core.internal.Connection;
import io.loomchat.core.internal.Endpoint;
import io.loomchat.server.internal.SocketConnections;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A loopback TCP server for the fragmentation proof that knows how far each connection has read.
 *
 * <p>TCP merges writes that arrive faster than the server reads them, which on loopback is nearly always: so
 * a client cannot make a server read a fragment on its own just by writing it. This server runs each session
 * in a real loomchat {@link Connection} on the accepted socket, as {@code ChatServer} does (TCP_NODELAY, the
 * socket's own streams), with one difference: its input stream counts what the connection has read and says
 * when the connection comes back for more. The proof writes a fragment, then waits for that before writing
 * the next, so each fragment is a read of its own (or several, if TCP splits it), over a real socket.
 */
public final class PacedServer implements AutoCloseable {
    private final ServerSocket listener;
    private final ChatOptions options;
    private final SessionFactory factory;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** The input of the connection accepted last; guarded by lock. */
    private PacedInput latest;
    private final Thread acceptor;

    private PacedServer(ServerSocket listener, ChatOptions options, SessionFactory factory) {
        this.listener = listener;
        this.options = options;
        this.factory = factory;
        this.acceptor = Thread.ofVirtual().name("loomchat-testkit-accept-" + listener.getLocalPort())
                .start(this::acceptLoop);
    }

    /**
     * Listens on an ephemeral port of the loopback address.
     *
     * @throws IOException if no port can be bound
     */
    public static PacedServer start(ChatOptions options, SessionFactory factory) throws IOException {
        return new PacedServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), options, factory);
    }

    /** Returns the port it listens on. */
    public int port() {
        return listener.getLocalPort();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                // Closed, or broken (out of descriptors): either way the runs still to come fail and say so.
                return;
            }
            try {
                serve(socket);
            } catch (IOException e) {
                close(socket);
            }
        }
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // Already failing: the run that connected sees its connection end.
        }
    }

    private void serve(Socket socket) throws IOException {
        socket.setTcpNoDelay(true);
        PacedInput input = new PacedInput(socket.getInputStream());
        Connection connection = Connection.create(new Endpoint(input, socket.getOutputStream(),
                SocketConnections.transport(socket), socket.getRemoteSocketAddress()), options, factory);
        connection.onEnd(() -> connections.remove(connection));
        connections.add(connection);
        lock.lock();
        try {
            latest = input;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        connection.start();
    }

    /**
     * Waits until the connection accepted last has read {@code total} bytes and come back for more (or has
     * stopped reading); false if that has not happened when {@code deadline} (a {@link System#nanoTime()} value)
     * passes.
     */
    public boolean awaitRead(long total, long deadline) throws InterruptedException {
        lock.lock();
        try {
            while (latest == null || !latest.hasRead(total)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                changed.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Forgets the connection accepted last, before a new run connects. */
    public void forgetLatest() {
        lock.lock();
        try {
            latest = null;
        } finally {
            lock.unlock();
        }
    }

    /** Stops accepting, closes every connection and waits (up to 5 seconds each) for them to end. */
    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException e) {
            // Nothing to do: the listener is going away either way.
        }
        for (Connection connection : connections) connection.close();
        try {
            acceptor.join(java.time.Duration.ofSeconds(5));
            for (Connection connection : connections) connection.awaitClosed(java.time.Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The socket's input, counting what the connection has read. */
    private final class PacedInput extends InputStream {
        private final InputStream in;
        /** Guarded by the server's lock, as the rest of these. */
        private long read;
        private boolean reading;
        private boolean ended;

        PacedInput(InputStream in) {
            this.in = in;
        }

        /** The lock is held. */
        boolean hasRead(long total) {
            return ended || (reading && read >= total);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            update(0, true, false);
            int n = -1;
            try {
                n = in.read(buffer, offset, length);
                return n;
            } finally {
                update(Math.max(n, 0), false, n < 0);
            }
        }

        private void update(int bytes, boolean nowReading, boolean nowEnded) {
            lock.lock();
            try {
                read += bytes;
                reading = nowReading;
                ended |= nowEnded;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() throws IOException {
            update(0, false, true);
            in.close();
        }
    }
}

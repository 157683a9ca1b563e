package io.loomchat.core.internal;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatConnection;
import io.loomchat.core.ChatLimitException;
import io.loomchat.core.ChatOptions;
import io.loomchat.core.ChatSession;
import io.loomchat.core.SessionFactory;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's life: the connection thread creates the session and runs the {@link TerminatorReader}; the
 * pump thread runs the {@link ProducerPump}. The connection thread is the one failure boundary: it ends
 * last, closes the transport, and calls the session's {@code closed()} exactly once.
 */
public final class Connection implements ChatConnection {
    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);
    private static final AtomicLong IDS = new AtomicLong();

    private final String name = "loomchat-conn-" + IDS.incrementAndGet();
    private final Closeable transport;
    private final SocketAddress remoteAddress;
    private final SessionFactory factory;
    private final TerminatorReader reader;
    private final ProducerPump pump;
    private final StreamChatChannel channel;
    private final AtomicBoolean transportClosed = new AtomicBoolean();
    private final CountDownLatch ended = new CountDownLatch(1);
    private Runnable onEnd = () -> { };
    /** True once close() was called: nothing more is dispatched, not even buffered input. */
    private volatile boolean closing;
    private volatile ChatSession session;
    private volatile Thread pumpThread;

    /**
     * Creates a connection; {@link #start()} runs it.
     *
     * @param transport closes the stream pair; must unblock a read or write in progress
     * @param remoteAddress the peer, or null
     */
    public Connection(InputStream in, OutputStream out, Closeable transport, SocketAddress remoteAddress,
                      ChatOptions options, SessionFactory factory) {
        this.transport = Objects.requireNonNull(transport, "transport");
        this.remoteAddress = remoteAddress;
        this.factory = Objects.requireNonNull(factory, "factory");
        Objects.requireNonNull(options, "options");
        this.reader = new TerminatorReader(Objects.requireNonNull(in, "in"), this, options.inBufferSize(),
                options.maxMessageSize());
        this.pump = new ProducerPump(this, Objects.requireNonNull(out, "out"), options.outBufferSize());
        this.channel = new StreamChatChannel(this, reader, pump);
    }

    /** Sets what runs on the connection thread after the session was told it closed (server bookkeeping). */
    public Connection onEnd(Runnable onEnd) {
        this.onEnd = Objects.requireNonNull(onEnd, "onEnd");
        return this;
    }

    /** Starts the connection thread, which starts the pump thread. */
    public void start() {
        Thread.ofVirtual().name(name).start(this::run);
    }

    private void run() {
        pumpThread = Thread.ofVirtual().name(name.replace("-conn-", "-pump-")).start(pump::run);
        boolean endOfInput = false;
        try {
            if (createSession()) {
                reader.run();
                endOfInput = !closing;
            }
        } catch (IOException e) {
            if (!closing) LOG.debug("{} {}: read failed: {}", name, remoteAddress, e.toString());
        } catch (RuntimeException | Error e) {
            LOG.error("{} {}: reader failed", name, remoteAddress, e);
        } finally {
            end(endOfInput);
        }
    }

    private boolean createSession() {
        try {
            session = Objects.requireNonNull(factory.create(channel), "SessionFactory.create returned null");
        } catch (Exception e) {
            LOG.warn("{} {}: the session factory failed; closing", name, remoteAddress, e);
            closeNow();
            return false;
        }
        try {
            session.opened();
        } catch (Throwable t) {
            sessionFailed(t);
        }
        return true;
    }

    /** Drains output (after end of input) or stops it, waits for the pump, closes, and tells the session. */
    private void end(boolean endOfInput) {
        if (endOfInput) {
            // The peer half-closed: write what was queued before, then close (the pump closes at the marker).
            pump.closeWhenDone();
        } else {
            closeNow();
        }
        awaitPump();
        closeNow();
        ChatSession s = session;
        if (s != null) {
            try {
                s.closed();
            } catch (Throwable t) {
                LOG.warn("{} {}: closed() failed", name, remoteAddress, t);
            }
        }
        try {
            onEnd.run();
        } finally {
            ended.countDown();
        }
    }

    private void awaitPump() {
        Thread pt = pumpThread;
        boolean interrupted = false;
        while (pt.isAlive()) {
            try {
                pt.join();
            } catch (InterruptedException e) {
                interrupted = true;
                closeNow();
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** Closes now: no more dispatch, queued output dropped, transport closed, blocked threads woken. */
    public void closeNow() {
        closing = true;
        pump.stop();
        if (transportClosed.compareAndSet(false, true)) {
            try {
                transport.close();
            } catch (IOException e) {
                LOG.debug("{} {}: close failed: {}", name, remoteAddress, e.toString());
            }
            Thread pt = pumpThread;
            // Wakes a producer blocked in more(); the pump thread never interrupts itself.
            if (pt != null && pt != Thread.currentThread()) pt.interrupt();
        }
    }

    boolean dispatching() {
        return !closing;
    }

    void dispatchCollect(byte[] data) {
        // ChatChannel.close(): nothing more is dispatched, even within one turn of the reader (collect, then found).
        if (closing) return;
        try {
            session.collectIncomingData(data);
        } catch (Throwable t) {
            sessionFailed(t);
        }
    }

    void dispatchFound() {
        if (closing) return;
        try {
            session.foundTerminator();
        } catch (Throwable t) {
            sessionFailed(t);
        }
    }

    /** A session callback threw: the session's error hook decides (by default: log, close). */
    private void sessionFailed(Throwable error) {
        try {
            session.handleError(channel, error);
        } catch (Throwable t) {
            t.addSuppressed(error);
            LOG.warn("{} {}: handleError failed; closing", name, remoteAddress, t);
            closeNow();
        }
    }

    /** The peer broke a limit: the session is told, then the connection closes, whatever the hook did. */
    void limitBroken(ChatLimitException error) {
        sessionFailed(error);
        closeNow();
    }

    /** A producer threw (on the pump thread): the session's error hook decides, as for its own callbacks. */
    void producerFailed(Exception error) {
        sessionFailed(error);
    }

    /** A write failed: the peer is gone. */
    void outputFailed(Exception error) {
        if (!closing) LOG.debug("{} {}: write failed: {}", name, remoteAddress, error.toString());
        closeNow();
    }

    public String name() {
        return name;
    }

    public SocketAddress remoteAddress() {
        return remoteAddress;
    }

    @Override
    public ChatChannel channel() {
        return channel;
    }

    @Override
    public boolean awaitClosed(Duration timeout) throws InterruptedException {
        return ended.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public boolean isClosed() {
        return ended.getCount() == 0;
    }

    @Override
    public void close() {
        closeNow();
    }

    @Override
    public String toString() {
        return "ChatConnection[" + name + ", " + remoteAddress + "]";
    }
}

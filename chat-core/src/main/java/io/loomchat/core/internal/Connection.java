package io.loomchat.core.internal;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatConnection;
import io.loomchat.core.ChatLimitException;
import io.loomchat.core.ChatOptions;
import io.loomchat.core.ChatSession;
import io.loomchat.core.SessionFactory;
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
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One connection's life: the connection thread creates the session, runs the {@link TerminatorReader}, and
 * writes its callbacks' replies itself when it can; a pump thread, started by the {@link ProducerPump} when
 * output needs one, writes the rest. The connection thread is the one failure boundary: it ends last, closes
 * the transport, and calls the session's {@code closed()} exactly once.
 */
public final class Connection implements ChatConnection {
    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);
    private static final AtomicLong IDS = new AtomicLong();

    private final long id = IDS.incrementAndGet();
    private final String name = "loomchat-conn-" + id;
    private final Transport transport;
    private final SocketAddress remoteAddress;
    private final ChatOptions options;
    private final SessionFactory factory;
    private final TerminatorReader reader;
    private final ProducerPump pump;
    private final StreamChatChannel channel;
    private final AtomicBoolean transportClosed = new AtomicBoolean();
    private final AtomicReference<CloseReason> closeReason = new AtomicReference<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private Runnable onEnd = () -> { };
    /** True once closed: nothing more is dispatched, not even buffered input. */
    private volatile boolean closing;
    /** How long, and how much input, a connection drains after its last reply before it closes. */
    private static final long LINGER_NANOS = Duration.ofSeconds(2).toNanos();
    private static final long LINGER_BYTES = 256 * 1024;
    /** When the output was shut down after the last reply (System.nanoTime), or 0: the linger's start. */
    private volatile long lingerSince;
    /** True once a broken limit ended the input: nothing more is dispatched, queued output is drained. */
    private volatile boolean inputEnded;
    /** True once a graceful shutdown ended the input: the session hears serverClosing(). */
    private volatile boolean shuttingDown;
    /** True once the write timeout fired: it closes at once, and only once. */
    private volatile boolean writeTimedOut;
    /** True once a timeout's close was handed to a thread of its own: the watchdog does not fire twice. */
    private volatile boolean timingOut;
    /** A limit the watchdog found broken, for the session's error hook on the connection thread. */
    private volatile ChatLimitException brokenLimit;
    private volatile ChatSession session;
    private volatile Thread connectionThread;

    /**
     * Creates a connection; {@link #start()} runs it.
     *
     * @param in the input the session reads
     * @param out the output the pump writes
     * @param transport closes the stream pair; must unblock a read or write in progress
     * @param remoteAddress the peer, or null
     * @param options the buffer sizes and limits
     * @param factory creates the session, on the connection thread
     */
    public Connection(InputStream in, OutputStream out, Transport transport, SocketAddress remoteAddress,
                      ChatOptions options, SessionFactory factory) {
        this.transport = Objects.requireNonNull(transport, "transport");
        this.remoteAddress = remoteAddress;
        this.options = Objects.requireNonNull(options, "options");
        this.factory = Objects.requireNonNull(factory, "factory");
        this.reader = new TerminatorReader(Objects.requireNonNull(in, "in"), this, options.inBufferSize(),
                options.maxMessageSize());
        this.pump = new ProducerPump(this, Objects.requireNonNull(out, "out"), options, this::newPumpThread);
        this.channel = new StreamChatChannel(this, reader, pump);
    }

    /**
     * Sets what runs on the connection thread after the session was told it closed (server bookkeeping).
     *
     * @param onEnd run once, last
     * @return this connection
     */
    public Connection onEnd(Runnable onEnd) {
        this.onEnd = Objects.requireNonNull(onEnd, "onEnd");
        return this;
    }

    /** Starts the connection thread; the pump starts its own thread when output needs it. */
    public void start() {
        // Assigned before it starts, so a close() from the new thread (or any other) always sees it.
        Thread thread = Thread.ofVirtual().name(name).unstarted(this::run);
        connectionThread = thread;
        thread.start();
    }

    /** {@return whether the calling thread is one of this connection's own} Its session or a producer calls. */
    public boolean isOwnThread() {
        Thread current = Thread.currentThread();
        return current == connectionThread || pump.isPumpThread(current);
    }

    private void run() {
        MDC.put("remote", String.valueOf(remoteAddress));
        pump.ownedByCurrentThread();
        Watchdog.register(this);
        Events.opened(this);
        boolean endOfInput = false;
        try {
            transport.open();
        } catch (IOException e) {
            LOG.info("{} {}: could not open the connection: {}", name, remoteAddress, e.toString());
            closeNow(CloseReason.PEER_RESET);
        }
        try {
            if (!closing && createSession()) {
                reader.run();
                // The peer's end of input, a shutdown's, a broken limit's, or the last reply's linger.
                endOfInput = !closing;
            }
        } catch (IOException e) {
            if (!closing) LOG.debug("{} {}: read failed: {}", name, remoteAddress, e.toString());
            closeNow(CloseReason.PEER_RESET);
        } catch (RuntimeException | Error e) {
            LOG.error("{} {}: reader failed", name, remoteAddress, e);
            closeNow(CloseReason.SESSION_ERROR);  // a bug, not the peer: count it so, not as a plain close
        } finally {
            end(endOfInput);
            MDC.remove("remote");
        }
    }

    /** A pump thread, started by the pump when output needs one (it ends when idle, and another may follow). */
    private Thread newPumpThread(Runnable pumping) {
        return Thread.ofVirtual().name(name.replace("-conn-", "-pump-")).unstarted(() -> {
            MDC.put("remote", String.valueOf(remoteAddress));
            pumping.run();
        });
    }

    private boolean createSession() {
        try {
            session = Objects.requireNonNull(factory.create(channel), "SessionFactory.create returned null");
        } catch (Exception e) {
            LOG.warn("{} {}: the session factory failed; closing", name, remoteAddress, e);
            closeNow(CloseReason.SESSION_ERROR);
            return false;
        }
        try {
            session.opened();
        } catch (Throwable t) {
            sessionFailed(t);
        }
        return true;
    }

    /**
     * Ends the connection: after the end of input (the peer's, a shutdown's or a broken limit's) the session is
     * told and queued output drained; otherwise output is dropped. Then waits for the pump, closes, and calls
     * the session's closed().
     */
    private void end(boolean endOfInput) {
        pump.release();  // the reader may have stopped holding its replies (a bug in it): nothing waits for it
        ChatLimitException limit = brokenLimit;
        if (endOfInput) {
            if (limit != null) {
                sessionFailed(limit);  // on this thread; what the hook pushes is still written
            } else if (shuttingDown) {
                dispatch(() -> session.serverClosing(channel));
            }
            closeReason.compareAndSet(null, CloseReason.PEER_CLOSED);
            pump.closeWhenDone();  // the pump closes the transport at the marker
        } else {
            closeNow(CloseReason.CLOSED);
        }
        awaitPump();
        if (lingerSince != 0) reader.drain(LINGER_BYTES);  // the watchdog ends it after LINGER_NANOS
        closeNow(CloseReason.CLOSED);
        Watchdog.deregister(this);
        ChatSession s = session;
        // A limit that tripped during the drain (a write timeout), or that closed the connection outright.
        ChatLimitException late = brokenLimit;
        if (s != null && late != null && (late != limit || !endOfInput)) sessionFailed(late);
        if (s != null) {
            try {
                s.closed();
            } catch (Throwable t) {
                LOG.warn("{} {}: closed() failed", name, remoteAddress, t);
            }
        }
        Events.closed(this, closeReason(), reader.bytesIn(), pump.bytesOut());
        try {
            onEnd.run();
        } finally {
            ended.countDown();
        }
    }

    private void awaitPump() {
        boolean interrupted = false;
        while (true) {
            try {
                pump.awaitPumpEnd();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
                closeNow(CloseReason.CLOSED);
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /**
     * Closes now, for {@code reason} unless an earlier cause was recorded; see {@link #closeNow()}.
     *
     * @param reason why, for the stats and the closed event
     */
    public void closeNow(CloseReason reason) {
        closeReason.compareAndSet(null, reason);
        closing = true;
        pump.stop();
        if (transportClosed.compareAndSet(false, true)) {
            // Interrupt first: a pump blocked in a write or a producer lets go (on a virtual thread, an
            // interrupted socket write fails at once); closing an SSLSocket would otherwise wait for that
            // write's lock, for as long as the peer does not read.
            pump.interruptPump();
            try {
                transport.close();
            } catch (IOException e) {
                LOG.debug("{} {}: close failed: {}", name, remoteAddress, e.toString());
            }
        }
    }

    /**
     * The pump reached the closeWhenDone marker and wrote everything before it: ends the output (FIN), and stops
     * dispatching. The connection thread then drains unread input for a moment and closes, so a peer whose
     * requests were left unread still gets the last reply instead of a reset.
     */
    void outputDone() {
        closeReason.compareAndSet(null, CloseReason.CLOSE_WHEN_DONE);
        lingerSince = System.nanoTime() | 1;
        try {
            transport.shutdownOutput();
        } catch (IOException e) {
            closeNow(CloseReason.CLOSE_WHEN_DONE);
        }
    }

    /** Closes now: no more dispatch, queued output dropped, transport closed, blocked threads woken. */
    public void closeNow() {
        closeNow(CloseReason.CLOSED);
    }

    /**
     * Begins a graceful shutdown: ends the input, so the connection thread tells the session
     * ({@code serverClosing}), writes the queued output and closes.
     */
    public void shutdown() {
        shuttingDown = true;
        closeReason.compareAndSet(null, CloseReason.SHUTDOWN);
        try {
            transport.shutdownInput();
        } catch (IOException e) {
            closeNow(CloseReason.SHUTDOWN);
        }
    }

    /** Called by the watchdog: closes the connection if one of its timeouts ran out. */
    void checkTimeouts(long now) {
        if (closing) return;
        pump.tick(now);
        long linger = lingerSince;
        if (linger != 0) {
            // After the last reply only the linger counts: the connection is closing anyway.
            if (now - linger > LINGER_NANOS && !timingOut) closeAside(() -> closeNow(CloseReason.CLOSE_WHEN_DONE));
            return;
        }
        // The write timeout always counts, even while the input has ended and the output drains.
        if (!writeTimedOut) checkTimeout(pump.writeSince(), options.writeTimeout(), now, CloseReason.WRITE_TIMEOUT);
        if (inputEnded || timingOut) return;
        // Idle means nothing read and nothing written: a long download keeps the connection busy.
        long readSince = reader.readSince();
        if (pump.writeSince() == 0 && readSince != 0) {
            long idleSince = Math.max(readSince, pump.lastWrite());
            checkTimeout(idleSince, options.idleTimeout(), now, CloseReason.IDLE_TIMEOUT);
        }
        checkTimeout(reader.messageSince(), options.messageTimeout(), now, CloseReason.MESSAGE_TIMEOUT);
    }

    private void checkTimeout(long since, Duration timeout, long now, CloseReason reason) {
        long limit = timeout.toNanos();
        if (since != 0 && limit > 0 && now - since > limit && !closing) timedOut(reason, limit);
    }

    /**
     * Closes on a virtual thread of its own: closing a TLS socket can wait for a blocked write, and the watchdog
     * that calls this serves every connection of the JVM.
     */
    private void closeAside(Runnable close) {
        timingOut = true;
        Thread.ofVirtual().name(name + "-timeout").start(close);
    }

    /**
     * A timeout ran out. A peer that does not read is closed at once; one that is idle or slow has its input
     * ended, so the connection thread tells the session (which may push a goodbye) and drains, as for a
     * broken limit.
     */
    void timedOut(CloseReason reason, long timeoutNanos) {
        if (closing) return;
        if (reason == CloseReason.WRITE_TIMEOUT) {
            if (writeTimedOut) return;
            writeTimedOut = true;  // and it still counts while the input has ended: the drain must end too
        } else if (inputEnded || timingOut) {
            return;  // already ending
        }
        long millis = Duration.ofNanos(timeoutNanos).toMillis();
        ChatLimitException error = switch (reason) {
            case IDLE_TIMEOUT -> new ChatLimitException("idleTimeout", millis, remoteAddress,
                    "sent nothing for " + millis + " ms");
            case MESSAGE_TIMEOUT -> new ChatLimitException("messageTimeout", millis, remoteAddress,
                    "a message took over " + millis + " ms to arrive");
            default -> new ChatLimitException("writeTimeout", millis, remoteAddress,
                    "did not read its output for " + millis + " ms");
        };
        closeReason.compareAndSet(null, reason);
        brokenLimit = error;
        if (reason == CloseReason.WRITE_TIMEOUT) {
            Events.slowConsumer(this, pump.queuedBytes());
            closeAside(() -> closeNow(reason));
            return;
        }
        inputEnded = true;
        closeAside(() -> {
            try {
                transport.shutdownInput();
            } catch (IOException e) {
                closeNow(reason);
            }
        });
    }

    /** Before the connection thread dispatches a read: its pushes wait until {@link #writeHeldOutput()}. */
    void holdOutput() {
        pump.hold();
    }

    /** After the callbacks for a read returned: writes what they pushed (see ProducerPump.releaseAndWrite). */
    void writeHeldOutput() {
        try {
            pump.releaseAndWrite();
        } catch (IOException | RuntimeException e) {
            outputFailed(e);
        }
    }

    boolean dispatching() {
        return !closing && !inputEnded && lingerSince == 0;
    }

    void dispatchCollect(byte[] data) {
        // ChatChannel.close(): nothing more is dispatched, even within one turn of the reader (collect, then found).
        if (!dispatching()) return;
        try {
            session.collectIncomingData(data);
        } catch (Throwable t) {
            sessionFailed(t);
        }
    }

    void dispatchFound() {
        if (!dispatching()) return;
        try {
            session.foundTerminator();
        } catch (Throwable t) {
            sessionFailed(t);
        }
    }

    private void dispatch(Runnable callback) {
        try {
            callback.run();
        } catch (Throwable t) {
            sessionFailed(t);
        }
    }

    /** A session callback threw: the session's error hook decides (by default: log, close). */
    private void sessionFailed(Throwable error) {
        if (session == null) {
            // A producer pushed by the factory failed before the session existed: nobody to ask.
            LOG.warn("{} {}: failed before the session existed; closing", name, remoteAddress, error);
            closeNow(CloseReason.SESSION_ERROR);
            return;
        }
        boolean wasOpen = closeReason.get() == null;
        try {
            session.handleError(channel, error);
        } catch (Throwable t) {
            t.addSuppressed(error);
            LOG.warn("{} {}: handleError failed; closing", name, remoteAddress, t);
            closeNow(CloseReason.SESSION_ERROR);
        }
        // The default hook closes through the channel, which says CLOSED: the cause was the error.
        if (wasOpen && closeReason.get() == CloseReason.CLOSED) closeReason.set(CloseReason.SESSION_ERROR);
    }

    /**
     * The peer broke a limit the reader enforces: nothing more is dispatched; the connection thread then tells
     * the session and drains what it pushes, as after the end of input.
     */
    void limitBroken(CloseReason reason, ChatLimitException error) {
        closeReason.compareAndSet(null, reason);
        if (brokenLimit == null) brokenLimit = error;
        inputEnded = true;
    }

    /** A producer threw (on the pump thread): the session's error hook decides, as for its own callbacks. */
    void producerFailed(Throwable error) {
        sessionFailed(error);
    }

    /** A write failed: the peer is gone. Anything but an IOException is a bug, and said loudly. */
    void outputFailed(Throwable error) {
        if (error instanceof IOException) {
            // A reset wakes the reader and the writer; the one that runs first gets the error, the reader's
            // "end of input" may have been that reset: a failed write says which it was.
            closeReason.compareAndSet(CloseReason.PEER_CLOSED, CloseReason.PEER_RESET);
            if (!closing) LOG.debug("{} {}: write failed: {}", name, remoteAddress, error.toString());
            closeNow(CloseReason.PEER_RESET);
        } else {
            LOG.error("{} {}: the output pump failed; closing", name, remoteAddress, error);
            closeNow(CloseReason.SESSION_ERROR);
        }
    }

    /** {@return why the connection closed, or null while it is open} */
    public CloseReason closeReason() {
        return closeReason.get();
    }

    /** {@return the name of the connection thread, {@code loomchat-conn-ID}} */
    public String name() {
        return name;
    }

    /** {@return the number in the connection's thread names, unique in this JVM} */
    public long id() {
        return id;
    }

    /** {@return the peer's address, or null} */
    public SocketAddress remoteAddress() {
        return remoteAddress;
    }

    /** {@return the bytes read from the peer so far} */
    public long bytesIn() {
        return reader.bytesIn();
    }

    /** {@return the bytes written to the peer so far} */
    public long bytesOut() {
        return pump.bytesOut();
    }

    /** {@return the terminators found so far: the messages this connection received} */
    public long messages() {
        return reader.messages();
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
        closeNow(CloseReason.CLOSED);
    }

    @Override
    public String toString() {
        return "ChatConnection[" + name + ", " + remoteAddress + "]";
    }
}

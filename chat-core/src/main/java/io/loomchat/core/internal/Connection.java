package io.loomchat.core.internal;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatConnection;
import io.loomchat.core.ChatOptions;
import io.loomchat.core.ChatSession;
import io.loomchat.core.CloseReason;
import io.loomchat.core.SessionFactory;
import io.loomchat.core.internal.ConnectionState.Phase;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's life, as {@link ConnectionState} writes it down: the connection thread creates the session,
 * runs the {@link TerminatorReader} until the input ends, tells the session, lets the output drain, lingers,
 * closes the transport, and calls the session's {@code closed()} exactly once. It wires the parts together and
 * acts on what they report; each part knows only its own narrow interface.
 */
public final class Connection implements ChatConnection, ProducerPump.Owner, TimeoutWatch.Actions {
    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);
    private static final AtomicLong IDS = new AtomicLong();
    /** How much unread input a connection drains after its last reply, at most, before it closes. */
    private static final long LINGER_BYTES = 256 * 1024;

    private final long id = IDS.incrementAndGet();
    private final String name = "loomchat-conn-" + id;
    private final Endpoint endpoint;
    private final SessionFactory factory;
    private final TimeSource time;
    private final ConnectionState state = new ConnectionState();
    private final ConnectionTimeouts timeouts;
    private final TerminatorReader reader;
    private final OutputQueue queue;
    private final PumpOutput output;
    private final ProducerPump pump;
    private final ReplyHold hold;
    private final SessionDispatcher session;
    private final LogContext logContext;
    private final StreamChatChannel channel;
    private final CountDownLatch ended = new CountDownLatch(1);
    private Runnable onEnd = () -> { };
    private final TimeoutWatch watch;
    private final TlsStarter tls;
    private volatile Thread connectionThread;

    /**
     * Creates a connection; {@link #start()} runs it.
     *
     * @param endpoint the streams, transport and peer
     * @param options the buffer sizes, limits and clock
     * @param factory creates the session, on the connection thread
     * @return the connection, not started
     */
    public static Connection create(Endpoint endpoint, ChatOptions options, SessionFactory factory) {
        return new Connection(endpoint, options, factory, true);
    }

    /** As {@link #create}; {@code holdReplies} false makes every push go to the pump (see {@link ReplyHold}). */
    Connection(Endpoint endpoint, ChatOptions options, SessionFactory factory, boolean holdReplies) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.factory = Objects.requireNonNull(factory, "factory");
        this.time = TimeSource.of(options.clock());
        this.timeouts = new ConnectionTimeouts(options);
        this.output = new PumpOutput(endpoint.out(), time);
        this.logContext = new LogContext(endpoint.remoteAddress(), name);
        this.queue = new OutputQueue(options.highWatermark(), options.lowWatermark(), output.gathers());
        this.pump = new ProducerPump(queue, output, this, time, PumpThreads.of(name, logContext),
                options.outBufferSize());
        this.hold = new ReplyHold(queue, pump, output, time, holdReplies);
        queue.listener(hold);
        this.session = new SessionDispatcher(state, hold, this::closeNow, this::outputFailed, this,
                endpoint.remoteAddress(), this::aside, logContext);
        this.reader = new TerminatorReader(endpoint.in(), session, time, options.inBufferSize(),
                options.maxMessageSize());
        this.watch = new TimeoutWatch(id, name, endpoint.remoteAddress(), time, state, timeouts, reader.stamps(),
                output, queue, pump, hold, new IdleEvents(options, time.nanoTime()), this);
        this.tls = new TlsStarter(this, endpoint.remoteAddress(), endpoint.transport(), state, queue, output,
                reader, watch, timeouts.handshakeTimeout());
        this.channel = new StreamChatChannel(name, endpoint.remoteAddress(), this::closeFromSession, this::startTls,
                reader, queue, pump, hold);
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
        return current == connectionThread || pump.isPumpThread(current) || session.turn().isEventThread(current);
    }

    private void run() {
        logContext.enter();
        session.turn().take();  // the connection thread calls the session, but while it waits in a read
        hold.ownedByCurrentThread();
        Watchdog.watch(watch);
        Events.opened(id, endpoint.remoteAddress());
        boolean endOfInput = false;
        watch.opening(true);
        try {
            endpoint.transport().open();
        } catch (IOException e) {
            LOG.info("{}: could not open the connection: {}", this, state.reason() == CloseReason.HANDSHAKE_TIMEOUT
                    ? "the handshake took over " + timeouts.handshakeTimeout() : e.toString());
            closeNow(CloseReason.PEER_RESET);
        } finally {
            watch.opening(false);
        }
        try {
            if (!state.reached(Phase.CLOSING) && session.create(factory, channel)) {
                reader.run();
                // The peer's end of input, a shutdown's, a broken limit's or timeout's, or the last reply's linger.
                endOfInput = !state.reached(Phase.CLOSING);
            }
        } catch (IOException e) {
            if (!state.reached(Phase.CLOSING)) LOG.debug("{}: read failed: {}", this, e.toString());
            closeNow(CloseReason.PEER_RESET);
        } catch (RuntimeException | Error e) {
            LOG.error("{}: reader failed", this, e);
            closeNow(CloseReason.SESSION_ERROR);  // a bug, not the peer: count it so, not as a plain close
        } finally {
            end(endOfInput);
            logContext.leave();
        }
    }

    /**
     * Ends the connection. After the end of input the session is told why (a broken limit, a shutdown) and the
     * queued output drains; otherwise output is dropped. Then waits for the pump, lingers if the last reply
     * went out, closes, and calls the session's closed().
     */
    private void end(boolean endOfInput) {
        hold.release();  // the reader may have stopped holding its replies (a bug in it): nothing waits for it
        IOException reported = null;
        if (endOfInput) {
            // Moved here from OPEN only by the reader's end of stream: no limit, timeout or linger came first.
            boolean fromOpen = state.advance(Phase.INPUT_ENDED, CloseReason.PEER_CLOSED);
            reported = state.peerError();
            if (reported != null) {
                Errors.limitBroken(reported);
                session.failedByPeer(reported);  // on this thread; what the hook pushes is still written
            } else if (state.reason() == CloseReason.SHUTDOWN) {
                session.serverClosing();
            } else if (fromOpen && state.reason() == CloseReason.PEER_CLOSED) {
                session.inputEnded(reader.heldBack());  // what it pushes is still written
            }
            queue.offer(OutputQueue.CLOSE_WHEN_DONE);  // the pump closes the output at the marker
        } else {
            closeNow(CloseReason.CLOSED);
        }
        pump.awaitEnd(() -> closeNow(CloseReason.CLOSED));  // interrupted: close at once, then wait on
        if (state.phase() == Phase.LINGERING) reader.drain(LINGER_BYTES);  // the watchdog ends it in time
        closeNow(CloseReason.CLOSED);
        Watchdog.unwatch(watch);
        // A limit that tripped during the drain (a write timeout), or that closed the connection outright.
        IOException late = state.peerError();
        if (late != null && late != reported) {
            Errors.limitBroken(late);
            if (session.hasSession()) session.failedByPeer(late);
        }
        session.closed();
        Events.closed(id, endpoint.remoteAddress(), closeReason(), reader.stamps().bytesIn(), output.bytesOut());
        try {
            onEnd.run();
        } finally {
            ended.countDown();
        }
    }

    /**
     * Closes now, for {@code reason} unless an earlier cause was recorded: no more dispatch, queued output
     * dropped, transport closed, blocked threads woken.
     *
     * @param reason why, for the stats and the closed event
     */
    public void closeNow(CloseReason reason) {
        boolean first = state.advance(Phase.CLOSED, reason);
        queue.stop();
        tls.abort();
        if (!first) return;
        // Interrupt first: a pump blocked in a write or a producer lets go (on a virtual thread, an interrupted
        // socket write fails at once); closing an SSLSocket would otherwise wait for that write's lock, for as
        // long as the peer does not read.
        pump.interrupt();
        try {
            endpoint.transport().close();
        } catch (IOException e) {
            LOG.debug("{}: close failed: {}", this, e.toString());
        }
    }

    /**
     * Closes now, as {@link #closeNow(CloseReason)} does, and interrupts the connection thread unless it is the
     * caller: a session blocked in a callback (a sleep, a lock, a slow call) is woken, and the connection ends when
     * the callback returns. For a server that stops after its drain timeout.
     *
     * @param reason why, unless an earlier cause was recorded
     * @return whether it was not closed yet: this call closed it
     */
    public boolean abort(CloseReason reason) {
        boolean wasOpen = !state.reached(Phase.CLOSED);
        closeNow(reason);
        Thread thread = connectionThread;
        if (thread != null && thread != Thread.currentThread()) thread.interrupt();
        session.turn().interruptEvent();
        return wasOpen;
    }

    /** {@return where the connection thread is now, innermost frame first} For a report of a session that hangs. */
    public StackTraceElement[] where() {
        Thread thread = connectionThread;
        return thread == null ? new StackTraceElement[0] : thread.getStackTrace();
    }

    @Override
    public void endInput(CloseReason reason) {
        try {
            endpoint.transport().shutdownInput();
        } catch (IOException e) {
            closeNow(reason);
        }
    }

    /** The channel's startTls: from the session's callbacks only, so that it falls between two reads. */
    private void startTls(SSLContext context) {
        if (Thread.currentThread() != connectionThread) {
            throw new IllegalStateException("startTls() outside the session's callbacks, on "
                    + Thread.currentThread().getName() + ": call it from foundTerminator");
        }
        tls.start(context);
    }

    @Override
    public void idle(ChatSession.IdleKind kind) {
        session.turn().post(kind);
    }

    /** Runs an idle event on a thread of its own, named and logged as the connection. */
    private void aside(Runnable delivery) {
        Thread.ofVirtual().name(name + "-idle").start(() -> {
            logContext.enter();
            delivery.run();
        });
    }

    /** The session's own close, through its channel: inside its error hook, the error's close. */
    private void closeFromSession() {
        closeNow(session.closeReasonNow());
    }

    /**
     * Begins a graceful shutdown: ends the input, so the connection thread dispatches what it has read, tells the
     * session ({@code serverClosing}), writes the queued output and closes. A connection whose input ended
     * already (a limit, a linger) stops draining its input.
     */
    public void shutdown() {
        state.noteCause(CloseReason.SHUTDOWN);
        try {
            endpoint.transport().shutdownInput();
        } catch (IOException e) {
            closeNow(CloseReason.SHUTDOWN);
        }
    }

    /** {@return why the connection closed, or null while it is open} */
    public CloseReason closeReason() {
        return state.reason();
    }

    /** {@return the connection thread's name, {@code loomchat-conn-ID}} */
    public String name() {
        return name;
    }

    /** {@return the number in the connection's thread names, unique in this JVM} */
    public long id() {
        return id;
    }

    /** {@return the peer's address, or null} */
    public SocketAddress remoteAddress() {
        return endpoint.remoteAddress();
    }

    /** {@return the bytes read and written so far, and the messages received} */
    public Traffic traffic() {
        return new Traffic(reader.stamps().bytesIn(), output.bytesOut(), reader.stamps().messages(),
                queue.queuedBytes(), queue.pushesWaited());
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
        return name + " " + endpoint.remoteAddress();
    }

    /**
     * Everything before the close marker was written: ends the output (FIN) and stops dispatching. The
     * connection thread then drains unread input for a moment and closes, so a peer whose requests were left
     * unread still gets the last reply instead of a reset.
     */
    @Override
    public void outputDone() {
        watch.lingerStarts();
        state.advance(Phase.LINGERING, CloseReason.CLOSE_WHEN_DONE);
        try {
            endpoint.transport().shutdownOutput();
        } catch (IOException e) {
            closeNow(CloseReason.CLOSE_WHEN_DONE);
        }
    }

    /**
     * Everything before {@code shutdownOutputWhenDone}'s marker was written: ends the output (FIN) and goes on
     * dispatching input until the peer ends its own. A transport that cannot half-close (TLS, a stream pair) ends
     * as after {@code closeWhenDone}.
     */
    @Override
    public void outputShut() {
        if (!endpoint.transport().halfCloses()) {
            outputDone();
            return;
        }
        try {
            endpoint.transport().shutdownOutput();
        } catch (IOException e) {
            closeNow(CloseReason.PEER_RESET);
        }
    }

    @Override
    public void producerFailed(Throwable error) {
        session.failed(error);
    }

    /** A write failed: the peer is gone. Anything but an IOException is a bug, and said loudly. */
    @Override
    public void outputFailed(Throwable error) {
        if (error instanceof IOException) {
            // A reset wakes the reader and the writer; the one that runs first gets the error, and the reader's
            // "end of input" may have been that reset: a failed write says which it was.
            state.writeFailed();
            if (!state.reached(Phase.CLOSING)) LOG.debug("{}: write failed: {}", this, error.toString());
            closeNow(CloseReason.PEER_RESET);
        } else {
            LOG.error("{}: the output pump failed; closing", this, error);
            closeNow(CloseReason.SESSION_ERROR);
        }
    }
}

package io.loomchat.core.internal;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatLimitException;
import io.loomchat.core.ChatProtocolException;
import io.loomchat.core.ChatSession;
import io.loomchat.core.CloseReason;
import io.loomchat.core.SessionFactory;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates a connection's session and calls it: the one failure boundary. A callback that throws goes to the
 * session's {@code handleError}, whose default logs once and closes; a hook that throws in turn closes the
 * connection as a session error. As the reader's {@link ReaderSink} it brackets the callbacks for each
 * read with the {@link ReplyHold}, and ends the input when a message grows too long.
 *
 * <p>Its callbacks run on the connection thread, except {@link #failed} for a producer's error, which runs on
 * the pump thread that ran the producer, and an idle event that comes while the connection thread waits in a read
 * (see {@link SessionTurn}). It holds no lock while calling the session.
 */
final class SessionDispatcher implements ReaderSink {
    private static final Logger LOG = LoggerFactory.getLogger(SessionDispatcher.class);

    private final ConnectionState state;
    private final ReplyHold hold;
    /** Closes the connection now, for a reason. */
    private final Consumer<CloseReason> close;
    /** Told when the connection thread's own write of held replies failed. */
    private final Consumer<Throwable> outputFailed;
    /** The connection, named in log lines by its toString(), made only when a line is logged. */
    private final Object who;
    private final SocketAddress remoteAddress;
    private ChatChannel channel;
    private volatile ChatSession session;
    /**
     * The dispatcher whose error hook the current thread runs, if any: a close it makes is the error's, not a plain
     * close. Per thread: the connection thread and the pump thread may each be in the hook.
     */
    private static final ThreadLocal<SessionDispatcher> IN_ERROR_HOOK = new ThreadLocal<>();

    /** The peer's broken limit or framing rule whose error hook runs now, on the connection thread; else null. */
    private Throwable peerErrorInHook;

    /** Keeps the session's callbacks one at a time, idle events included. */
    private final SessionTurn turn;
    /** The connection's MDC keys, on the connection thread except while it waits for input. */
    private final LogContext logContext;

    SessionDispatcher(ConnectionState state, ReplyHold hold, Consumer<CloseReason> close,
                      Consumer<Throwable> outputFailed, Object who, SocketAddress remoteAddress,
                      Consumer<Runnable> aside, LogContext logContext) {
        this.turn = new SessionTurn(this::idle, aside);
        this.logContext = logContext;
        this.state = state;
        this.hold = hold;
        this.close = close;
        this.outputFailed = outputFailed;
        this.who = who;
        this.remoteAddress = remoteAddress;
    }

    /**
     * Creates the session and calls its {@code opened()}; returns false if the factory failed (the connection is
     * then closed, with no session to tell).
     */
    boolean create(SessionFactory factory, ChatChannel channel) {
        this.channel = channel;
        try {
            session = Objects.requireNonNull(factory.create(channel), "SessionFactory.create returned null");
        } catch (Exception e) {
            LOG.warn("{}: the session factory failed; closing", who, e);
            close.accept(CloseReason.SESSION_ERROR);
            return false;
        }
        try {
            session.opened();
        } catch (Throwable t) {
            failed(t);
        }
        return true;
    }

    /** {@return whether a session was created} */
    boolean hasSession() {
        return session != null;
    }

    @Override
    public boolean dispatching() {
        return state.dispatching();
    }

    @Override
    public void beginDispatch() {
        hold.hold();
    }

    @Override
    public void endDispatch() {
        try {
            hold.releaseAndWrite();
        } catch (IOException | RuntimeException e) {
            outputFailed.accept(e);
        }
    }

    /** {@return the turn that keeps the session's callbacks one at a time} */
    SessionTurn turn() {
        return turn;
    }

    @Override
    public void readStarts() {
        turn.letGo();
        logContext.leave();  // an idle connection holds no MDC map
    }

    @Override
    public void readEnds() {
        logContext.enter();
        turn.take();
    }

    /** Tells the session it was idle; with the turn held. Not once input no longer reaches it. */
    private void idle(ChatSession.IdleKind kind) {
        ChatSession s = session;
        if (s == null || !state.dispatching()) return;
        try {
            s.idle(channel, kind);
        } catch (Throwable t) {
            failed(t);
        }
    }

    @Override
    public void messageTooLong(int limit, long bytes) {
        state.advance(ConnectionState.Phase.INPUT_ENDED, CloseReason.MESSAGE_TOO_LONG, new ChatLimitException(
                "maxMessageSize", limit, remoteAddress, "no terminator in " + bytes + " bytes"));
    }

    @Override
    public void frameTooLarge(long limit, long bytes) {
        state.advance(ConnectionState.Phase.INPUT_ENDED, CloseReason.MESSAGE_TOO_LONG, new ChatLimitException(
                "maxFrameSize", limit, remoteAddress, "a frame of " + bytes + " bytes"));
    }

    @Override
    public void protocolError(String rule, String detail) {
        state.advance(ConnectionState.Phase.INPUT_ENDED, CloseReason.PROTOCOL_ERROR,
                new ChatProtocolException(rule, remoteAddress, detail));
    }

    @Override
    public void collect(byte[] data) {
        try {
            session.collectIncomingData(data);
        } catch (Throwable t) {
            failed(t);
        }
    }

    @Override
    public void collect(byte[] buffer, int offset, int length) {
        try {
            session.collectIncomingData(buffer, offset, length);
        } catch (Throwable t) {
            failed(t);
        }
    }

    @Override
    public void found() {
        try {
            session.foundTerminator();
        } catch (Throwable t) {
            failed(t);
        }
    }

    /** Tells the session the server is closing; what it pushes is still written. */
    void serverClosing() {
        try {
            session.serverClosing(channel);
        } catch (Throwable t) {
            failed(t);
        }
    }

    /** Tells the session the peer ended its input, with the bytes it never collected; what it pushes is written. */
    void inputEnded(byte[] tail) {
        try {
            session.inputEnded(channel, tail);
        } catch (Throwable t) {
            failed(t);
        }
    }

    /**
     * A callback or producer threw, or the peer broke a limit: the session's error hook decides (by default: log,
     * close).
     */
    void failed(Throwable error) {
        ChatSession s = session;
        if (s == null) {
            // A producer pushed by the factory failed before the session existed: nobody to ask.
            LOG.warn("{}: failed before the session existed; closing", who, error);
            close.accept(CloseReason.SESSION_ERROR);
            return;
        }
        SessionDispatcher outer = IN_ERROR_HOOK.get();
        IN_ERROR_HOOK.set(this);
        try {
            s.handleError(channel, error);
        } catch (Throwable t) {
            t.addSuppressed(error);
            LOG.warn("{}: handleError failed; closing", who, t);
            close.accept(CloseReason.SESSION_ERROR);
        } finally {
            if (outer == null) IN_ERROR_HOOK.remove();
            else IN_ERROR_HOOK.set(outer);
        }
    }

    /**
     * Tells the session's error hook of a limit or framing rule the peer broke, which the connection recorded:
     * the default hook then writes the replies already queued before it closes.
     */
    void failedByPeer(IOException error) {
        peerErrorInHook = error;
        try {
            failed(error);
        } finally {
            peerErrorInHook = null;
        }
    }

    /** {@return whether the calling thread runs an error hook for {@code error}, a limit the peer broke} */
    static boolean isPeerErrorInHook(Throwable error) {
        SessionDispatcher inHook = IN_ERROR_HOOK.get();
        return inHook != null && error != null && inHook.peerErrorInHook == error;
    }

    /** {@return why a close the calling thread makes now closes}: an error's, inside the error hook. */
    CloseReason closeReasonNow() {
        return IN_ERROR_HOOK.get() == this ? CloseReason.SESSION_ERROR : CloseReason.CLOSED;
    }

    /** Tells the session its connection closed; called once, last. */
    void closed() {
        ChatSession s = session;
        if (s == null) return;
        try {
            s.closed();
        } catch (Throwable t) {
            LOG.warn("{}: closed() failed", who, t);
        }
    }
}

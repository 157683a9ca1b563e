package io.loomchat.core.internal;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatSession;
import io.loomchat.core.SessionFactory;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates a connection's session and calls it: the one failure boundary. A callback that throws goes to the
 * session's {@code handleError}, whose default logs once and closes; a hook that throws in turn closes the
 * connection as a session error.
 *
 * <p>Its callbacks run on the connection thread, except {@link #failed} for a producer's error, which runs on
 * the pump thread that ran the producer. It holds no lock while calling the session.
 */
final class SessionDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(SessionDispatcher.class);

    private final ChatChannel channel;
    /** Closes the connection now, for a reason. */
    private final Consumer<CloseReason> close;
    /** The connection's name and peer, for log lines. */
    private final String who;
    private volatile ChatSession session;
    /** The thread running the error hook, if one is: a close it makes is the error's, not a plain close. */
    private volatile Thread inErrorHook;

    SessionDispatcher(ChatChannel channel, Consumer<CloseReason> close, String who) {
        this.channel = channel;
        this.close = close;
        this.who = who;
    }

    /**
     * Creates the session and calls its {@code opened()}; returns false if the factory failed (the connection is
     * then closed, with no session to tell).
     */
    boolean create(SessionFactory factory) {
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

    void collect(byte[] data) {
        try {
            session.collectIncomingData(data);
        } catch (Throwable t) {
            failed(t);
        }
    }

    void found() {
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
        Thread current = Thread.currentThread();
        inErrorHook = current;
        try {
            s.handleError(channel, error);
        } catch (Throwable t) {
            t.addSuppressed(error);
            LOG.warn("{}: handleError failed; closing", who, t);
            close.accept(CloseReason.SESSION_ERROR);
        } finally {
            if (inErrorHook == current) inErrorHook = null;
        }
    }

    /** {@return why a close the calling thread makes now closes}: an error's, inside the error hook. */
    CloseReason closeReasonNow() {
        return inErrorHook == Thread.currentThread() ? CloseReason.SESSION_ERROR : CloseReason.CLOSED;
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

package io.loomchat.testkit.internal;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatSession;
import io.loomchat.core.SessionFactory;

/**
 * Wraps a session factory so the test kit learns when each session starts, fails and ends, without changing
 * what the session sees: it gets the real channel, and every callback is passed on unchanged.
 */
public final class ObservedSessions {
    private ObservedSessions() {
    }

    /** What the kit is told; each method is called on the connection's thread (or the pump's, for a producer). */
    public interface Listener {
        /** A session was created for {@code channel}; called on its connection thread. */
        default void created(ChatChannel channel) {
        }

        /** The factory or the session failed, or the peer broke a limit: {@code error} is what its hook gets. */
        default void failed(ChatChannel channel, Throwable error) {
        }

        /** The session's {@code closed()} returned (or threw). */
        default void ended(ChatChannel channel) {
        }
    }

    /** Returns a factory that creates {@code factory}'s sessions and tells {@code listener} about them. */
    public static SessionFactory observe(SessionFactory factory, Listener listener) {
        return channel -> {
            ChatSession session;
            try {
                session = factory.create(channel);
            } catch (Exception | Error e) {
                listener.failed(channel, e);
                throw e;
            }
            listener.created(channel);
            return session == null ? null : new Observed(session, channel, listener);
        };
    }

    /** Passes every callback on to the session, telling the listener about errors and the end. */
    private record Observed(ChatSession session, ChatChannel channel, Listener listener) implements ChatSession {
        @Override
        public void collectIncomingData(byte[] data) {
            session.collectIncomingData(data);
        }

        @Override
        public void collectIncomingData(byte[] buffer, int offset, int length) {
            session.collectIncomingData(buffer, offset, length);
        }

        @Override
        public void foundTerminator() {
            session.foundTerminator();
        }

        @Override
        public void opened() {
            session.opened();
        }

        @Override
        public void closed() {
            try {
                session.closed();
            } finally {
                listener.ended(channel);
            }
        }

        @Override
        public void handleError(ChatChannel errorChannel, Throwable error) {
            listener.failed(errorChannel, error);
            session.handleError(errorChannel, error);
        }

        @Override
        public void inputEnded(ChatChannel endedChannel, byte[] tail) {
            session.inputEnded(endedChannel, tail);
        }

        @Override
        public void serverClosing(ChatChannel closingChannel) {
            session.serverClosing(closingChannel);
        }

        @Override
        public void idle(ChatChannel idleChannel, IdleKind kind) {
            session.idle(idleChannel, kind);
        }
    }
}

package io.loomchat.examples;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatSession;
import io.loomchat.core.SessionFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wraps a session factory so that each connection and its end are logged at INFO, as the demo shows them. Every
 * hook of {@link ChatSession} is forwarded, so the wrapped session behaves exactly as it would unwrapped.
 */
final class ConnectionLog implements SessionFactory {
    private final Logger log;
    private final SessionFactory factory;

    /** Logs the connections of the example {@code name} (the logger's name) made by {@code factory}. */
    ConnectionLog(String name, SessionFactory factory) {
        this.log = LoggerFactory.getLogger(name);
        this.factory = factory;
    }

    @Override
    public ChatSession create(ChatChannel channel) throws Exception {
        log.info("{} connected", channel.remoteAddress());
        ChatSession session = factory.create(channel);
        return new ChatSession() {
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
                    log.info("{} disconnected", channel.remoteAddress());
                }
            }

            @Override
            public void serverClosing(ChatChannel closingChannel) {
                session.serverClosing(closingChannel);
            }

            @Override
            public void handleError(ChatChannel errorChannel, Throwable error) {
                session.handleError(errorChannel, error);
            }

            @Override
            public void inputEnded(ChatChannel endedChannel, byte[] tail) {
                session.inputEnded(endedChannel, tail);
            }

            @Override
            public void idle(ChatChannel idleChannel, IdleKind kind) {
                session.idle(idleChannel, kind);
            }
        };
    }
}

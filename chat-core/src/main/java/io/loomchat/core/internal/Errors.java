package io.loomchat.core.internal;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatLimitException;
import io.loomchat.core.ChatProtocolException;
import java.io.IOException;
import java.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The default error handling of a session: one WARN line with the peer, then close. */
public final class Errors {
    private static final Logger LOG = LoggerFactory.getLogger("io.loomchat.session");
    private static final Logger LIMITS = LoggerFactory.getLogger("io.loomchat.limits");

    private Errors() {
    }

    /**
     * Logs {@code error} at WARN with the peer's address, then closes the channel: {@code ChatSession}'s default
     * {@code handleError}. A limit or framing rule the peer broke is not logged here: its connection logs it once,
     * whatever the hook does (see {@link #limitBroken}); and the replies pushed before it are still written, then
     * the connection closes ({@link ChatChannel#closeWhenDone()}; the connection bounds that drain), so the peer's
     * good requests before the bad one are answered. The same exception types thrown by the session itself are its
     * own errors: logged, and the connection closed at once.
     *
     * @param channel the channel to close
     * @param error what the session, a producer or the peer did
     */
    public static void logAndClose(ChatChannel channel, Throwable error) {
        if (SessionDispatcher.isPeerErrorInHook(error)) {
            channel.closeWhenDone();
            return;
        }
        LOG.warn("{}: closing after an error in the session", channel.remoteAddress(), error);
        channel.close();
    }

    /**
     * Logs a broken limit or protocol rule once, at WARN, without a stack trace (the peer's doing, not a bug), by
     * the logger {@code io.loomchat.limits}: an operator sees it whatever the session's {@code handleError} does
     * with it.
     *
     * @param limit the {@link ChatLimitException} or {@link ChatProtocolException} of the peer
     */
    static void limitBroken(IOException limit) {
        SocketAddress peer = limit instanceof ChatLimitException l ? l.remoteAddress()
                : ((ChatProtocolException) limit).remoteAddress();
        LIMITS.warn("{}: closing: {}", peer, limit.getMessage());
    }
}

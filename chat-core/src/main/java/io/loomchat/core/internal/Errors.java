package io.loomchat.core.internal;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatLimitException;
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
     * {@code handleError}. A broken limit is not logged here: its connection logs it once, whatever the hook does
     * (see {@link #limitBroken}).
     *
     * @param channel the channel to close
     * @param error what the session, a producer or the peer did
     */
    public static void logAndClose(ChatChannel channel, Throwable error) {
        if (!(error instanceof ChatLimitException)) {
            LOG.warn("{}: closing after an error in the session", channel.remoteAddress(), error);
        }
        channel.close();
    }

    /**
     * Logs a broken limit once, at WARN, without a stack trace (the peer's doing, not a bug), by the logger
     * {@code io.loomchat.limits}: an operator sees it whatever the session's {@code handleError} does with it.
     *
     * @param limit the limit the peer broke
     */
    static void limitBroken(ChatLimitException limit) {
        LIMITS.warn("{}: closing: {}", limit.remoteAddress(), limit.getMessage());
    }
}

package io.loomchat.core.internal;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatLimitException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The default error handling of a session: one WARN line with the peer, then close. */
public final class Errors {
    private static final Logger LOG = LoggerFactory.getLogger("io.loomchat.session");

    private Errors() {
    }

    /**
     * Logs {@code error} at WARN with the peer's address, then closes the channel: {@code ChatSession}'s default
     * {@code handleError}. A broken limit is logged without a stack trace.
     *
     * @param channel the channel to close
     * @param error what the session, a producer or the peer did
     */
    public static void logAndClose(ChatChannel channel, Throwable error) {
        if (error instanceof ChatLimitException) {
            // The peer's doing, not a bug: the message says which limit; a stack trace would say nothing.
            LOG.warn("{}: closing: {}", channel.remoteAddress(), error.getMessage());
        } else {
            LOG.warn("{}: closing after an error in the session", channel.remoteAddress(), error);
        }
        channel.close();
    }
}

package io.loomchat.core.internal;

import io.loomchat.core.ChatLimitException;
import io.loomchat.core.ChatOptions;
import io.loomchat.core.CloseReason;
import java.net.SocketAddress;
import java.time.Duration;

/**
 * Decides which of a connection's timeouts ran out, from the times its reader and output stamped and the time
 * now, all read from the connection's one {@link TimeSource}. It decides only: the connection acts.
 *
 * <ul>
 *   <li><b>linger</b>: after the last reply, unread input is drained for at most {@link #LINGER}; nothing else
 *       counts then, the connection is closing anyway.</li>
 *   <li><b>drain after a limit</b>: once the peer broke a limit or framing rule, the replies queued before it
 *       have {@code writeTimeout} in all to go out (or {@link #DRAIN_AFTER_LIMIT} with no write timeout), however
 *       slowly the peer reads them.</li>
 *   <li><b>write</b>: a write blocked on a peer that does not read, for longer than {@code writeTimeout}; it
 *       counts while the input has ended and the output drains too.</li>
 *   <li><b>idle</b>: nothing read and nothing written for {@code idleTimeout}, while a read waits; a long
 *       download keeps a connection busy.</li>
 *   <li><b>message</b>: one message under a delimiter arriving for longer than {@code messageTimeout}.</li>
 *   <li><b>handshake</b>: opening the connection (its TLS handshake) taking longer than {@code handshakeTimeout},
 *       however the peer paces its bytes.</li>
 * </ul>
 */
final class ConnectionTimeouts {
    /** How long a connection drains unread input after its last reply before it closes. */
    static final Duration LINGER = Duration.ofSeconds(2);
    private static final long LINGER_NANOS = LINGER.toNanos();
    /** How long the output may drain after the peer broke a limit, when there is no write timeout. */
    static final Duration DRAIN_AFTER_LIMIT = Duration.ofSeconds(30);

    /**
     * What the timeouts are measured from, each a time stamp or 0 for "not now".
     *
     * @param readSince when the read under way began
     * @param messageSince when the unfinished message under a delimiter began arriving
     * @param writeSince when the write under way began
     * @param lastWrite when bytes last went out
     * @param lingerSince when the output was shut after the last reply
     * @param openSince when the connection began opening (its TLS handshake), while it opens
     * @param drainSince when the peer's broken limit or framing rule was first seen, or 0
     */
    record Stamps(long readSince, long messageSince, long writeSince, long lastWrite, long lingerSince,
                  long openSince, long drainSince) {
    }

    private final long idleNanos;
    private final long messageNanos;
    private final long writeNanos;
    private final long handshakeNanos;
    private final long drainNanos;

    ConnectionTimeouts(ChatOptions options) {
        this.handshakeNanos = options.handshakeTimeout().toNanos();
        this.idleNanos = options.idleTimeout().toNanos();
        this.messageNanos = options.messageTimeout().toNanos();
        this.writeNanos = options.writeTimeout().toNanos();
        this.drainNanos = writeNanos > 0 ? writeNanos : DRAIN_AFTER_LIMIT.toNanos();
    }

    /**
     * Returns the timeout that ran out at {@code now}, or null: {@code HANDSHAKE_TIMEOUT} while opening, else
     * {@link CloseReason#CLOSE_WHEN_DONE} for the linger or the drain after a limit, else {@code WRITE_TIMEOUT},
     * {@code IDLE_TIMEOUT} or {@code MESSAGE_TIMEOUT}, checked in that order.
     *
     * @param open whether the connection still dispatches input: idle and message timeouts count only then
     */
    CloseReason expired(long now, boolean open, Stamps stamps) {
        if (stamps.openSince() != 0) {
            return ran(stamps.openSince(), handshakeNanos, now) ? CloseReason.HANDSHAKE_TIMEOUT : null;
        }
        if (stamps.lingerSince() != 0) {
            return now - stamps.lingerSince() > LINGER_NANOS ? CloseReason.CLOSE_WHEN_DONE : null;
        }
        if (ran(stamps.drainSince(), drainNanos, now)) return CloseReason.CLOSE_WHEN_DONE;
        if (ran(stamps.writeSince(), writeNanos, now)) return CloseReason.WRITE_TIMEOUT;
        if (!open) return null;
        if (stamps.writeSince() == 0 && stamps.readSince() != 0
                && ran(Math.max(stamps.readSince(), stamps.lastWrite()), idleNanos, now)) {
            return CloseReason.IDLE_TIMEOUT;
        }
        if (ran(stamps.messageSince(), messageNanos, now)) return CloseReason.MESSAGE_TIMEOUT;
        return null;
    }

    private static boolean ran(long since, long limit, long now) {
        return since != 0 && limit > 0 && now - since > limit;
    }

    /** {@return the handshake timeout, for a log line} */
    Duration handshakeTimeout() {
        return Duration.ofNanos(handshakeNanos);
    }

    /** {@return the error the session's {@code handleError} gets for {@code reason}, a timeout} */
    ChatLimitException error(CloseReason reason, SocketAddress peer) {
        return switch (reason) {
            case IDLE_TIMEOUT -> limit("idleTimeout", idleNanos, peer, "sent nothing for %d ms");
            case MESSAGE_TIMEOUT -> limit("messageTimeout", messageNanos, peer, "a message took over %d ms to arrive");
            case WRITE_TIMEOUT -> limit("writeTimeout", writeNanos, peer, "did not read its output for %d ms");
            default -> throw new IllegalArgumentException("not a timeout: " + reason);
        };
    }

    private static ChatLimitException limit(String name, long nanos, SocketAddress peer, String format) {
        long millis = Duration.ofNanos(nanos).toMillis();
        return new ChatLimitException(name, millis, peer, String.format(format, millis));
    }
}

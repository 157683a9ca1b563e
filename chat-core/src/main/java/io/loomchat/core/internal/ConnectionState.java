package io.loomchat.core.internal;

import io.loomchat.core.ChatLimitException;
import io.loomchat.core.ChatProtocolException;
import io.loomchat.core.CloseReason;
import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A connection's phase and why it closed, changed by one atomic transition that only moves forward.
 *
 * <pre>
 *   OPEN → INPUT_ENDED → LINGERING → CLOSING → CLOSED     (forward only; any phase may skip ahead)
 * </pre>
 *
 * <ul>
 *   <li>{@link Phase#OPEN}: input is read and dispatched to the session. Its output may have been shut by
 *       {@code shutdownOutputWhenDone} (a half-close): that changes no phase, input goes on until the peer's end.</li>
 *   <li>{@link Phase#INPUT_ENDED}: no more input is dispatched (the peer's end of input, a graceful shutdown, a
 *       broken limit, an idle or message timeout); the session is told, and queued output is written.</li>
 *   <li>{@link Phase#LINGERING}: the last reply was written and the output shut; unread input is drained for a
 *       moment, so the peer gets that reply instead of a reset.</li>
 *   <li>{@link Phase#CLOSING}: a close is under way on a thread of its own (a write timeout, a linger that ran
 *       out): nothing more is dispatched.</li>
 *   <li>{@link Phase#CLOSED}: the transport is closed; queued output is dropped.</li>
 * </ul>
 *
 * <p>The close reason and the broken limit are set at most once, by the first transition that gives them (or by
 * {@link #noteCause}): the first cause wins, and so does the first limit, which is the one the session's
 * {@code handleError} hears at the end. The one later correction is {@link #writeFailed()}: an end of input that a
 * failed write then shows to have been a reset.
 */
final class ConnectionState {
    /** The phases of a connection, in the only order it moves through them. */
    enum Phase { OPEN, INPUT_ENDED, LINGERING, CLOSING, CLOSED }

    /** One immutable status, swapped whole, so phase, reason and limit change together. */
    private record Status(Phase phase, CloseReason reason, IOException limit) {
    }

    private final AtomicReference<Status> status = new AtomicReference<>(new Status(Phase.OPEN, null, null));

    /**
     * Moves to {@code to} unless the connection is there or further already; records {@code reason} and
     * {@code limit} unless earlier ones were recorded.
     *
     * @param reason why the connection closes
     * @param limit the limit the peer broke (a {@link ChatLimitException}) or the rule (a
     *     {@link ChatProtocolException}), for the session's error hook, or null
     * @return whether this call moved the phase
     */
    boolean advance(Phase to, CloseReason reason, IOException limit) {
        Objects.requireNonNull(reason, "reason");
        while (true) {
            Status now = status.get();
            if (now.phase.compareTo(to) >= 0) return false;
            Status next = new Status(to, now.reason != null ? now.reason : reason,
                    now.limit != null ? now.limit : limit);
            if (status.compareAndSet(now, next)) return true;
        }
    }

    boolean advance(Phase to, CloseReason reason) {
        return advance(to, reason, null);
    }

    /**
     * Records {@code reason} unless an earlier cause was recorded, without changing the phase: a cause whose
     * effect comes later. A graceful shutdown ends the input through the transport; the requests already read
     * are still dispatched, and the end of input that follows is the shutdown's.
     */
    void noteCause(CloseReason reason) {
        Objects.requireNonNull(reason, "reason");
        Status now;
        do {
            now = status.get();
            if (now.reason != null) return;
        } while (!status.compareAndSet(now, new Status(now.phase, reason, now.limit)));
    }

    /** A write failed after the peer's end of input: it was a reset, not a close. */
    void writeFailed() {
        Status now;
        do {
            now = status.get();
            if (now.reason != CloseReason.PEER_CLOSED) return;
        } while (!status.compareAndSet(now, new Status(now.phase, CloseReason.PEER_RESET, now.limit)));
    }

    Phase phase() {
        return status.get().phase;
    }

    /** {@return whether input is still dispatched to the session} */
    boolean dispatching() {
        return status.get().phase == Phase.OPEN;
    }

    /** {@return whether the phase is {@code phase} or later} */
    boolean reached(Phase phase) {
        return status.get().phase.compareTo(phase) >= 0;
    }

    /** {@return why the connection closes, or null while no cause is known} */
    CloseReason reason() {
        return status.get().reason;
    }

    /** {@return the limit the peer broke, or null (also when it broke a protocol rule instead)} */
    ChatLimitException limit() {
        return status.get().limit instanceof ChatLimitException l ? l : null;
    }

    /** {@return the limit or protocol rule the peer broke, or null} */
    IOException peerError() {
        return status.get().limit;
    }

    @Override
    public String toString() {
        Status s = status.get();
        return s.phase + (s.reason == null ? "" : " (" + s.reason + ")");
    }
}

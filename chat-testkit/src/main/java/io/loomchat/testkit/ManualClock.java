package io.loomchat.testkit;

import io.loomchat.core.internal.Watchdog;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that moves only when the test moves it, for testing timeouts in milliseconds and the same way every
 * time: give it to a connection through {@code ChatOptions.withClock}, and every timeout of that connection (idle,
 * message, write, and the linger after the last reply) is measured on it.
 *
 * {@snippet :
 * ManualClock clock = new ManualClock();
 * ChatOptions options = ChatOptions.defaults().withClock(clock).withIdleTimeout(Duration.ofMinutes(5));
 * try (SessionHarness harness = SessionHarness.start(options, SmtpSession::new)) {
 *     clock.advance(Duration.ofMinutes(4));      // not yet
 *     assertFalse(harness.isClosed());
 *     clock.advance(Duration.ofMinutes(1).plusMillis(1));
 *     // the idle timeout ran out: the connection ends its input, tells the session, and closes
 * }
 * }
 *
 * <p>{@link #advance} checks every connection's timeouts at once, on the calling thread, against the new time; what
 * a timeout then does (the session's {@code handleError}, a goodbye written, the close) happens on the
 * connection's own threads, so wait for it as for any other output. Until the clock moves, time stands still
 * for its connections: that includes the 50 ms after which replies pushed by a callback that has not returned are
 * written anyway, and the second after which an idle pump thread ends. One clock may serve many connections,
 * and the server's.
 */
public final class ManualClock implements InstantSource {
    private final AtomicReference<Instant> now;

    /** Creates a clock at 2000-01-01T00:00:00Z. Only differences between its instants count. */
    public ManualClock() {
        this(Instant.parse("2000-01-01T00:00:00Z"));
    }

    /**
     * Creates a clock at {@code start}.
     *
     * @param start the first instant it tells
     */
    public ManualClock(Instant start) {
        this.now = new AtomicReference<>(Objects.requireNonNull(start, "start"));
    }

    /**
     * Moves the clock forward by {@code duration}, then checks the timeouts of every open connection against the
     * new time.
     *
     * @param duration how far, zero or more
     * @return this clock
     * @throws IllegalArgumentException if {@code duration} is negative
     */
    public ManualClock advance(Duration duration) {
        if (Objects.requireNonNull(duration, "duration").isNegative()) {
            throw new IllegalArgumentException("duration < 0: " + duration);
        }
        now.updateAndGet(t -> t.plus(duration));
        Watchdog.tickNow();
        return this;
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public String toString() {
        return "ManualClock[" + now.get() + "]";
    }
}

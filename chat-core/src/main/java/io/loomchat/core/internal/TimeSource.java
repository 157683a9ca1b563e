package io.loomchat.core.internal;

import java.time.Instant;
import java.time.InstantSource;

/**
 * Where a connection reads the time, in nanoseconds: every timeout and every stamp it is measured from (a read
 * or write under way, the last write, a held reply, the linger) reads this one source, so a test can drive them
 * all with a clock it advances.
 */
@FunctionalInterface
public interface TimeSource {
    /** The system's monotonic time, {@link System#nanoTime()}. */
    TimeSource SYSTEM = System::nanoTime;

    /** {@return the time now, in nanoseconds from an arbitrary origin} Only differences mean anything. */
    long nanoTime();

    /**
     * Returns the time source for {@code clock}: the system's monotonic time for the system clock, else the
     * clock's instants in nanoseconds.
     *
     * @param clock a clock, such as the test kit's manual clock
     * @return its time source
     */
    static TimeSource of(InstantSource clock) {
        if (clock == SystemClock.INSTANCE) return SYSTEM;
        return () -> {
            Instant now = clock.instant();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        };
    }

    /** Holds the system clock that {@code ChatOptions} starts with, so it can be told from any other. */
    final class SystemClock {
        /** The default clock of {@code ChatOptions}. */
        public static final InstantSource INSTANCE = InstantSource.system();

        private SystemClock() {
        }
    }
}

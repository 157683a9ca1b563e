package io.loomchat.testkit.internal;

import java.time.Duration;

/** Durations as people write them in messages: {@code 5 s}, {@code 250 ms}. */
public final class Durations {
    private Durations() {
    }

    /** Returns {@code duration} in whole seconds if it is some, else in milliseconds. */
    public static String text(Duration duration) {
        if (duration.toMillis() % 1000 == 0 && !duration.isZero()) return duration.toSeconds() + " s";
        return duration.toMillis() + " ms";
    }

    /**
     * Returns {@code duration} if it is positive.
     *
     * @throws IllegalArgumentException naming {@code name} if it is zero or negative
     */
    public static Duration positive(Duration duration, String name) {
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + duration);
        }
        return duration;
    }
}

package io.loomchat.testkit.internal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** The two ways a socket run paces its fragments: exactly, with a {@link PacedServer}, or by time. */
public final class Pacings {
    /** The pause between fragments written to a server the proof cannot watch. */
    private static final long PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private Pacings() {
    }

    /**
     * Returns the pacing of a run against {@code server}: each fragment is written once the server has read the
     * one before, and each run starts once the sessions of the one before have closed (so sessions that share
     * state, such as a chat room's members, see the same state in every run).
     */
    public static SocketRunner.Pacing exact(PacedServer server, SessionTracker tracker, Duration timeout) {
        return new SocketRunner.Pacing() {
            @Override
            public boolean exact() {
                return true;
            }

            @Override
            public void beforeRun() {
                server.forgetLatest();
            }

            @Override
            public void written(long total, long deadline) throws InterruptedException {
                // A server that stops reading (it closed, or a session blocks) shows in the run's output.
                server.awaitRead(total, deadline);
            }

            @Override
            public void afterRun() {
                awaitNoSession(tracker, timeout);
            }
        };
    }

    /**
     * Returns the pacing of a run against a server the proof cannot watch: fragments 1 ms apart, which makes it
     * likely, not certain, that the server reads each on its own.
     */
    public static SocketRunner.Pacing timed() {
        return new SocketRunner.Pacing() {
            @Override
            public boolean exact() {
                return false;
            }

            @Override
            public void beforeRun() {
            }

            @Override
            public void written(long total, long deadline) {
                // A deliberate gap in the traffic, as a slow network makes: there is no condition to wait for.
                LockSupport.parkNanos(PAUSE_NANOS);
            }

            @Override
            public void afterRun() {
            }
        };
    }

    /**
     * Waits until {@code tracker} counts no open session.
     *
     * @throws AssertionError if some are still open after {@code timeout}
     */
    public static void awaitNoSession(SessionTracker tracker, Duration timeout) {
        try {
            if (!tracker.awaitOpen(0, System.nanoTime() + timeout.toNanos())) {
                throw new AssertionError("the server's sessions did not close within " + Durations.text(timeout)
                        + " after a run: " + tracker.open());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for the server's sessions to close", e);
        }
    }
}

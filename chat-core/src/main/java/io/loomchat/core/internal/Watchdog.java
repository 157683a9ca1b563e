package io.loomchat.core.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One virtual thread per JVM that ticks every open connection ten times a second: it checks their timeouts and
 * does their housekeeping. Socket writes have no timeout of their own, and one ticking thread is cheaper than a
 * timer per connection: the reader and the output only stamp the time they started waiting, each on its
 * connection's {@link TimeSource}. The thread ends when no connection is left, and starts again with the next.
 *
 * <p>A test that moves a manual clock calls {@link #tickNow()}, so what the new time decides happens at once.
 */
public final class Watchdog {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Watchdog.class);
    private static final long TICK_MILLIS = 100;
    private static final Set<Ticking> WATCHED = ConcurrentHashMap.newKeySet();
    /** Held while starting or ending the thread. */
    private static final ReentrantLock LIFE = new ReentrantLock();
    /** Held while ticking: a manual tick and the thread's never overlap. */
    private static final ReentrantLock TICK = new ReentrantLock();
    /** Whether the thread runs. Guarded by LIFE. */
    private static boolean running;

    /** What the watchdog ticks: one connection. */
    interface Ticking {
        /** Checks timeouts and does housekeeping; called by one thread at a time. */
        void tick();
    }

    private Watchdog() {
    }

    static void watch(Ticking ticking) {
        WATCHED.add(ticking);
        LIFE.lock();
        try {
            if (!running) {
                running = true;
                Thread.ofVirtual().name("loomchat-watchdog").start(Watchdog::run);
            }
        } finally {
            LIFE.unlock();
        }
    }

    static void unwatch(Ticking ticking) {
        WATCHED.remove(ticking);
    }

    /** Ticks every watched connection now, on the calling thread: after a manual clock moved. */
    public static void tickNow() {
        TICK.lock();
        try {
            for (Ticking ticking : WATCHED) {
                try {
                    ticking.tick();
                } catch (Throwable t) {
                    // One connection's trouble must not stop the timeouts of every other.
                    LOG.warn("{}: checking its timeouts failed", ticking, t);
                }
            }
        } finally {
            TICK.unlock();
        }
    }

    private static void run() {
        while (true) {
            try {
                Thread.sleep(TICK_MILLIS);
            } catch (InterruptedException e) {
                // Nobody interrupts the watchdog on purpose; keep watching.
            }
            tickNow();
            LIFE.lock();
            try {
                // A connection watched after this check finds running false and starts a new thread.
                if (WATCHED.isEmpty()) {
                    running = false;
                    return;
                }
            } finally {
                LIFE.unlock();
            }
        }
    }
}

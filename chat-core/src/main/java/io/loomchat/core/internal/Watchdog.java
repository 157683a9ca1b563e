package io.loomchat.core.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One virtual thread per JVM that checks every open connection's timeouts ten times a second. Socket writes
 * have no timeout of their own, and one ticking thread is cheaper than a timer per connection: the reader and
 * pump only stamp the time they started waiting. The thread ends when no connection is left, and starts again
 * with the next one.
 */
final class Watchdog {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Watchdog.class);
    private static final long TICK_MILLIS = 100;
    private static final Set<Connection> CONNECTIONS = ConcurrentHashMap.newKeySet();
    private static final ReentrantLock LOCK = new ReentrantLock();
    /** Whether the thread runs. Guarded by LOCK. */
    private static boolean running;

    private Watchdog() {
    }

    static void register(Connection connection) {
        CONNECTIONS.add(connection);
        LOCK.lock();
        try {
            if (!running) {
                running = true;
                Thread.ofVirtual().name("loomchat-watchdog").start(Watchdog::run);
            }
        } finally {
            LOCK.unlock();
        }
    }

    static void deregister(Connection connection) {
        CONNECTIONS.remove(connection);
    }

    private static void run() {
        while (true) {
            try {
                Thread.sleep(TICK_MILLIS);
            } catch (InterruptedException e) {
                // Nobody interrupts the watchdog on purpose; keep watching.
            }
            long now = System.nanoTime();
            for (Connection connection : CONNECTIONS) {
                try {
                    connection.checkTimeouts(now);
                } catch (Throwable t) {
                    // One connection's trouble must not stop the timeouts of every other.
                    LOG.warn("{}: checking its timeouts failed", connection, t);
                }
            }
            LOCK.lock();
            try {
                // A connection registered after this check finds running false and starts a new thread.
                if (CONNECTIONS.isEmpty()) {
                    running = false;
                    return;
                }
            } finally {
                LOCK.unlock();
            }
        }
    }
}

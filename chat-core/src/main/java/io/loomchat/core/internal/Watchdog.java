package io.loomchat.core.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One virtual thread per JVM that checks every open connection's timeouts ten times a second. Socket writes
 * have no timeout of their own, and one ticking thread is cheaper than a timer per connection: the reader and
 * pump only stamp the time they started waiting.
 */
final class Watchdog {
    private static final long TICK_MILLIS = 100;
    private static final Set<Connection> CONNECTIONS = ConcurrentHashMap.newKeySet();
    private static final ReentrantLock START = new ReentrantLock();
    private static volatile Thread thread;

    private Watchdog() {
    }

    static void register(Connection connection) {
        CONNECTIONS.add(connection);
        if (thread == null) start();
    }

    static void deregister(Connection connection) {
        CONNECTIONS.remove(connection);
    }

    private static void start() {
        START.lock();
        try {
            if (thread == null) thread = Thread.ofVirtual().name("loomchat-watchdog").start(Watchdog::run);
        } finally {
            START.unlock();
        }
    }

    private static void run() {
        while (true) {
            try {
                Thread.sleep(TICK_MILLIS);
            } catch (InterruptedException e) {
                // Nobody interrupts the watchdog on purpose; keep watching.
            }
            long now = System.nanoTime();
            for (Connection connection : CONNECTIONS) connection.checkTimeouts(now);
        }
    }
}

package io.loomchat.testkit.internal;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.SessionFactory;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Counts a server's open sessions exactly, by observing each session's creation and end, so a test can wait
 * for a count without polling.
 */
public final class SessionTracker implements ObservedSessions.Listener {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Set<ChatChannel> open = new LinkedHashSet<>();

    /** Returns a factory that creates {@code factory}'s sessions and counts them here. */
    public SessionFactory wrap(SessionFactory factory) {
        return ObservedSessions.observe(factory, this);
    }

    @Override
    public void created(ChatChannel channel) {
        lock.lock();
        try {
            open.add(channel);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void ended(ChatChannel channel) {
        lock.lock();
        try {
            open.remove(channel);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Returns the channels of the sessions open now, oldest first. */
    public List<ChatChannel> open() {
        lock.lock();
        try {
            return new ArrayList<>(open);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until exactly {@code count} sessions are open; false if that is not so when {@code deadline} (a
     * {@link System#nanoTime()} value) passes.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitOpen(int count, long deadline) throws InterruptedException {
        lock.lock();
        try {
            while (open.size() != count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                changed.await(left, TimeUnit.NANOSECONDS);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }
}

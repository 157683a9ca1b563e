package io.loomchat.core.internal;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * The connection thread writing its callbacks' replies itself. While it dispatches what one read brought, its
 * pushes queue without waking the pump ({@link #hold()}); once the callbacks return, it writes them itself if
 * the pump is idle ({@link #releaseAndWrite()}), as an event loop writes before it polls. The replies to a read
 * (a pipeline's included) leave in one write, with no hand-off between threads.
 *
 * <p>Every other thread's push, a producer, a close marker, or a queue over the low watermark still goes to the
 * {@link ProducerPump}. A callback that pushes and then blocks gets its replies written by the pump once
 * {@link #HOLD_MAX_NANOS} have passed (see {@link #tick}). Made with {@code enabled} false (a test comparing
 * both), it never holds: every push wakes the pump.
 */
final class ReplyHold implements OutputQueue.Listener {
    /**
     * How long replies held by a callback that has not returned wait before the watchdog wakes the pump: a
     * callback that pushes, then blocks (a slow call), still gets its reply out, a watchdog tick later.
     */
    private static final long HOLD_MAX_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** The hold of the connection whose thread is running, so it can release it before waiting anywhere. */
    private static final ThreadLocal<ReplyHold> OWN = new ThreadLocal<>();

    private final OutputQueue queue;
    private final ProducerPump pump;
    private final PumpOutput out;
    private final TimeSource time;
    private final boolean enabled;
    /** The connection thread while it dispatches what one read brought. Written by that thread only. */
    private volatile Thread holder;
    /**
     * Whether the holder queued work without waking the pump. Any other thread that queues more delivers the
     * wake-up (it sees a non-empty queue and would otherwise assume the pump was woken). Written under the lock.
     */
    private volatile boolean wakeupPending;
    /** When {@link #wakeupPending} was last set: the watchdog ends holds that last too long. */
    private volatile long pendingSince;

    ReplyHold(OutputQueue queue, ProducerPump pump, PumpOutput out, TimeSource time, boolean enabled) {
        this.queue = queue;
        this.pump = pump;
        this.out = out;
        this.time = time;
        this.enabled = enabled;
    }

    /** Marks the calling thread, a connection thread, as this hold's own. */
    void ownedByCurrentThread() {
        OWN.set(this);
    }

    /** Before the callbacks for one read: until {@link #releaseAndWrite()} the pushes of this thread wait. */
    void hold() {
        if (enabled) holder = Thread.currentThread();
    }

    @Override
    public void queued(boolean wasEmpty) {
        // Under the queue's lock.
        if (holder == Thread.currentThread()) {
            if (wasEmpty && !wakeupPending) {
                pendingSince = time.nanoTime();
                wakeupPending = true;
            }
        } else if (wasEmpty || wakeupPending) {
            wakeupPending = false;
            pump.wake();
        }
    }

    /**
     * Releases a hold without writing (waking the pump if work is pending): the connection thread is about to
     * wait, for a full queue or the end of the connection.
     */
    void release() {
        if (holder != null) {
            holder = null;
            if (wakeupPending) deliverPending();
        }
    }

    /** If the calling thread is a connection thread holding its own replies, releases them. */
    static void releaseOwn() {
        ReplyHold own = OWN.get();
        if (own != null && own.holder == Thread.currentThread()) own.release();
    }

    /** Wakes the pump for work held back: someone is about to wait for the queue to drain. */
    void deliverPending() {
        if (!wakeupPending) return;
        queue.lock.lock();
        try {
            if (wakeupPending) {
                wakeupPending = false;
                pump.wake();
            }
        } finally {
            queue.lock.unlock();
        }
    }

    /**
     * Once the callbacks for a read have returned: releases the hold and, if the pump is idle and only pushed
     * bytes are queued, writes them on this thread before it reads again.
     *
     * <p>It writes only what is queued when it starts, and only up to the low watermark of it: more (other
     * threads' pushes, a large reply) goes to the pump, so that this thread soon reads again and a peer that
     * sends before it reads is read up to the high watermark. A queued producer or close marker is also left to
     * the pump, which may block in them. The writes are stamped for the write timeout.
     */
    void releaseAndWrite() throws IOException {
        if (holder == null) return;
        holder = null;
        if (!wakeupPending) return;
        Object last;
        queue.lock.lock();
        try {
            if (!wakeupPending) return;  // the watchdog, or another pusher, woke the pump meanwhile
            wakeupPending = false;
            if (!pump.idle() || queue.writingThrough || !queue.fitsWriteThrough()) {
                pump.wake();
                return;
            }
            last = queue.peekLast();
            queue.writingThrough = true;
        } finally {
            queue.lock.unlock();
        }
        boolean done = false;
        try {
            // What other threads queue after the last segment is the pump's.
            for (boolean more = true; more; ) {
                more = takeSegments(last);
                out.write(queue.writing());
                queue.recycle();
            }
            out.flush();  // a no-op on sockets, needed on buffered streams
            done = true;
        } finally {
            queue.lock.lock();
            try {
                queue.writingThrough = false;
                // Whatever came meanwhile (a producer, the close marker, another thread's push), or a failed
                // write whose error the pump will not see: the pump takes over.
                if (!queue.isEmpty() || !done) pump.wake();
            } finally {
                queue.lock.unlock();
            }
        }
    }

    /** Takes the segments at the head, up to {@code last}, for one write; returns whether more may follow. */
    private boolean takeSegments(Object last) {
        queue.lock.lock();
        try {
            if (queue.stopped() || !(queue.peekFirst() instanceof Segment)) {
                queue.writing().clear();
                return false;
            }
            return queue.gather(last);
        } finally {
            queue.lock.unlock();
        }
    }

    /** Called by the watchdog: wakes the pump for replies held longer than {@link #HOLD_MAX_NANOS}. */
    void tick(long now) {
        if (wakeupPending && now - pendingSince > HOLD_MAX_NANOS) deliverPending();
    }
}

package io.loomchat.core.internal;

import io.loomchat.core.Producer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A connection's output queue: asynchat's {@code producer_fifo} of {@link Segment segments} of pushed bytes,
 * {@link Producer producers}, {@link TlsSwitch} markers and the {@link #CLOSE_WHEN_DONE} marker, with the
 * watermarks that make pushes wait and the segments kept for reuse. It starts no thread and writes nothing: the {@link ProducerPump} and the
 * {@link ReplyHold} take from it.
 *
 * <p>{@link #lock} is the one lock of the connection's output: the queue, the pump's thread and the hold's
 * write-through decide under it. It is never held while writing or while calling {@link Producer#more()}.
 */
final class OutputQueue {
    /** asynchat's {@code None} in the FIFO: close the connection once everything before it is written. */
    static final Object CLOSE_WHEN_DONE = new Object() {
        @Override
        public String toString() {
            return "CLOSE_WHEN_DONE";
        }
    };
    /**
     * {@code shutdownOutputWhenDone}'s marker: shut the output (a FIN) once everything before it is written, and go on
     * reading. Like {@link #CLOSE_WHEN_DONE}, nothing is queued after it.
     */
    static final Object SHUTDOWN_OUTPUT_WHEN_DONE = new Object() {
        @Override
        public String toString() {
            return "SHUTDOWN_OUTPUT_WHEN_DONE";
        }
    };
    /** What {@link #offer} made of a push. */
    enum Offer { QUEUED, CLOSED, FULL }

    /** Told, under the lock, that work was queued. */
    interface Listener {
        /** @param wasEmpty whether the FIFO was empty before */
        void queued(boolean wasEmpty);
    }

    /**
     * The least bytes {@code pushWithoutCopy} leaves in the caller's array: a smaller push is copied, which costs
     * less than a buffer of its own in a gathering write.
     */
    private static final int MIN_SHARED = 1024;
    /** How long a connection keeps spare segments after its last write, in case output resumes. */
    static final long SPARE_LINGER_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
    /** The most written segments kept for reuse (1 MiB), however high the watermark. */
    private static final int MAX_SPARES = 16;

    final ReentrantLock lock = new ReentrantLock();
    /** Signalled when work is queued or the queue stops: the pump thread waits on it. */
    final Condition changed = lock.newCondition();
    /** Signalled when the queued bytes fall to the low watermark, for pushes waiting over the high one. */
    private final Condition drained = lock.newCondition();
    private final int highWatermark;
    private final int lowWatermark;
    /** Whether the output gathers segments into one system call: only then may a caller's array be shared. */
    private final boolean gathers;
    private final ArrayDeque<Object> producerFifo = new ArrayDeque<>(4);  // grows as needed; small while idle
    /** The segments taken off the FIFO for one write, by the thread writing. */
    private final ArrayList<Segment> writing = new ArrayList<>(0);
    /** Written segments kept for reuse while output flows; dropped by {@link #dropSpares()} when idle. */
    private final ArrayDeque<Segment> spares = new ArrayDeque<>(4);
    private final int maxSpares;
    private Listener listener = wasEmpty -> { };
    /** Bytes pushed and not yet written, the segments being written included. */
    private long queuedBytes;
    /** Pushes that waited for the queue to drain, for the stats. */
    private long pushesWaited;
    /** Bytes of the segments being written now, which discard() cannot recall. */
    private long inFlight;
    /** Pushes waiting for the queue to drain. */
    private int waitingPushes;
    /**
     * Counts the times the queue drained to the low watermark. A waiting push goes on once this moves, even if
     * other pushers refilled the queue meanwhile: the consumer made progress, so it is not slow, and no pusher
     * starves behind the others.
     */
    private long drainEpoch;
    /** True from closeWhenDone or stop on: nothing more is queued. */
    private boolean closing;
    /** True once the connection closed: queued output is dropped and the pump stops. Read without the lock. */
    private volatile boolean stopped;
    /** True while the connection thread writes queued segments itself: the pump keeps away. */
    boolean writingThrough;
    /** Whether spares or a grown {@link #writing} list may be kept, for the watchdog's unlocked look. */
    private volatile boolean holdsRoom;

    OutputQueue(int highWatermark, int lowWatermark, boolean gathers) {
        this.highWatermark = highWatermark;
        this.lowWatermark = lowWatermark;
        this.gathers = gathers;
        this.maxSpares = Math.min(MAX_SPARES, highWatermark / Segment.MAX_SIZE + 2);
    }

    void listener(Listener listener) {
        this.listener = listener;
    }

    int highWatermark() {
        return highWatermark;
    }

    /**
     * Queues {@code length} bytes of {@code data} (a copy, unless {@code copy} is false and the output gathers)
     * unless the queue is closing, or holds more than {@code limit} bytes already.
     */
    Offer offer(byte[] data, int offset, int length, boolean copy, long limit) {
        lock.lock();
        try {
            if (closing) return Offer.CLOSED;
            if (length == 0) return Offer.QUEUED;
            if (queuedBytes > limit) return Offer.FULL;
            queuedBytes += length;
            if (!copy && length >= MIN_SHARED && gathers) {
                enqueue(Segment.shared(data, offset, length));
                return Offer.QUEUED;
            }
            Segment tail = producerFifo.peekLast() instanceof Segment s ? s : null;
            if (tail == null || !tail.tryAppend(data, offset, length)) {
                Segment segment = newSegment(length);
                segment.tryAppend(data, offset, length);
                enqueue(segment);
            } else {
                listener.queued(false);
            }
            return Offer.QUEUED;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues a producer, or one of the two markers (after which nothing more is queued); false if closing already.
     */
    boolean offer(Object producerOrMarker) {
        lock.lock();
        try {
            if (closing) return false;
            enqueue(producerOrMarker);
            closing = isMarker(producerOrMarker);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** {@return whether {@code item} is {@link #CLOSE_WHEN_DONE} or {@link #SHUTDOWN_OUTPUT_WHEN_DONE}} */
    static boolean isMarker(Object item) {
        return item == CLOSE_WHEN_DONE || item == SHUTDOWN_OUTPUT_WHEN_DONE;
    }

    private void enqueue(Object item) {
        boolean wasEmpty = producerFifo.isEmpty();
        producerFifo.addLast(item);
        listener.queued(wasEmpty);
    }

    /**
     * Waits until the queue next drains to the low watermark, or closes; returns false if it closed. The wait
     * has no clock of its own: a peer that stops reading blocks the write that would drain it, and the write
     * timeout (checked by the watchdog ten times a second, on the connection's clock) closes the connection,
     * which ends this wait. A pump busy in a producer that does not return, or a write timeout of 0, keeps it
     * waiting, as a write blocked for ever would.
     */
    boolean awaitDrained() {
        lock.lock();
        try {
            if (queuedBytes <= highWatermark) return !closing;  // drained meanwhile
            long epoch = drainEpoch;
            waitingPushes++;
            pushesWaited++;
            try {
                while (drainEpoch == epoch && !closing) drained.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();  // the push goes on: whoever interrupted decides what follows
            } finally {
                waitingPushes--;
            }
            return !closing;
        } finally {
            lock.unlock();
        }
    }

    /**
     * asynchat's {@code producer_fifo.clear()}; a marker ({@code closeWhenDone}, {@code shutdownOutputWhenDone}, a
     * {@link TlsSwitch}) already queued stays queued, in its order.
     */
    void discard() {
        lock.lock();
        try {
            producerFifo.removeIf(item -> !isMarker(item) && !(item instanceof TlsSwitch));
            queuedBytes = inFlight;
            drainEpoch++;
            drained.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Closes the queue for good: drops what is queued and wakes every waiting thread. */
    void stop() {
        lock.lock();
        try {
            closing = true;
            stopped = true;
            producerFifo.clear();
            queuedBytes = inFlight;
            changed.signalAll();
            drained.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean stopped() {
        return stopped;
    }

    /** {@return whether new output would still be queued} */
    boolean isOpen() {
        lock.lock();
        try {
            return !closing;
        } finally {
            lock.unlock();
        }
    }

    /** {@return how many pushes have waited in {@link #awaitDrained()} for the queue to drain} */
    long pushesWaited() {
        lock.lock();
        try {
            return pushesWaited;
        } finally {
            lock.unlock();
        }
    }

    long queuedBytes() {
        lock.lock();
        try {
            return queuedBytes;
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock. */
    boolean isEmpty() {
        return producerFifo.isEmpty();
    }

    /** Under the lock. */
    Object peekFirst() {
        return producerFifo.peekFirst();
    }

    /** Under the lock. */
    Object peekLast() {
        return producerFifo.peekLast();
    }

    /** Under the lock: {@return whether only pushed bytes are at the head, and at most the low watermark queued} */
    boolean fitsWriteThrough() {
        return !stopped && queuedBytes <= lowWatermark && producerFifo.peekFirst() instanceof Segment;
    }

    /** Under the lock: takes a producer or the marker off the head. */
    Object poll() {
        return producerFifo.pollFirst();
    }

    /**
     * Under the lock, with a segment at the head: moves it to {@link #writing()} with the segments after it that
     * one write takes, stopping after {@code last} (or at the size of one write if null); returns whether it
     * stopped for the size of the write only, with segments still at the head.
     */
    boolean gather(Object last) {
        writing.clear();  // left over only by a write that failed
        long bytes = 0;
        boolean more = false;
        while (producerFifo.peekFirst() instanceof Segment segment) {
            if (!writing.isEmpty() && !joins(bytes, segment)) {
                more = true;
                break;
            }
            producerFifo.pollFirst();
            writing.add(segment);
            bytes += segment.length;
            if (segment == last) break;
        }
        inFlight = bytes;
        if (writing.size() > 4) holdsRoom = true;
        return more;
    }

    /** The segments {@link #gather} took, for the thread writing them. */
    List<Segment> writing() {
        return writing;
    }

    /**
     * Whether {@code next} joins the segments taken so far ({@code bytes} of them) in one write. Only where the
     * output gathers: elsewhere each segment is a write of its own, counted off the queue as soon as it is
     * written. A segment over 64 KiB (a large push) is written alone, in pieces.
     */
    private boolean joins(long bytes, Segment next) {
        return gathers && writing.size() < PumpOutput.MAX_GATHER
                && bytes + next.length <= PumpOutput.MAX_GATHER_BYTES
                && next.length <= Segment.MAX_SIZE && writing.getFirst().length <= Segment.MAX_SIZE;
    }

    /** Counts the segments just written off the queue, wakes pushes waiting for it to drain, keeps some for reuse. */
    void recycle() {
        lock.lock();
        try {
            for (Segment segment : writing) {
                queuedBytes -= segment.length;
                if (segment.reusable() && spares.size() < maxSpares) {
                    segment.length = 0;
                    spares.addLast(segment);
                    holdsRoom = true;
                }
            }
            inFlight = 0;
            if (waitingPushes > 0 && queuedBytes <= lowWatermark) {
                drainEpoch++;
                drained.signalAll();
            }
            writing.clear();
        } finally {
            lock.unlock();
        }
    }

    private Segment newSegment(int length) {
        Segment spare = spares.peekLast();
        if (spare != null && spare.capacity() >= length) return spares.pollLast();
        return Segment.owned(length);
    }

    /** Drops the spare segments and the room of a grown write list, unless a write is under way: when idle. */
    void dropSpares() {
        if (!holdsRoom || !lock.tryLock()) return;
        try {
            spares.clear();
            // Empty under the lock means no write is between gather() and recycle(): its room can go too.
            if (writing.isEmpty()) {
                writing.trimToSize();
                holdsRoom = false;
            }
        } finally {
            lock.unlock();
        }
    }
}

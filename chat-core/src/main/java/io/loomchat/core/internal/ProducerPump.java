package io.loomchat.core.internal;

import io.loomchat.core.ChatOptions;
import io.loomchat.core.Producer;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A connection's output: asynchat's {@code producer_fifo}, and the loop that writes it on a virtual thread of
 * its own, started when output needs it and ended when idle; the connection thread writes its callbacks'
 * replies itself when the pump is idle ({@link #releaseAndWrite()}).
 *
 * <p>The FIFO holds {@link Segment segments} of pushed bytes, {@link Producer producers}, and the
 * {@link #CLOSE_WHEN_DONE} marker. Pushes that arrive while the pump is busy are appended to the segment at
 * the tail, so a burst of small replies leaves in one write: one copy in, one system call out. Producer
 * output is gathered in a batch buffer of {@code outBufferSize} bytes.
 *
 * <p>The lock guards the FIFO only; it is never held while writing or while calling {@link Producer#more()}.
 */
final class ProducerPump {
    /** asynchat's {@code None} in the FIFO: close the connection once everything before it is written. */
    private static final Object CLOSE_WHEN_DONE = new Object() {
        @Override
        public String toString() {
            return "CLOSE_WHEN_DONE";
        }
    };
    /**
     * The least bytes {@code pushWithoutCopy} leaves in the caller's array: a smaller push is copied, which
     * costs less than a buffer of its own in a gathering write.
     */
    private static final int MIN_SHARED = 1024;
    /** The most written segments kept for reuse (1 MiB), however high the watermark. */
    private static final int MAX_SPARES = 16;
    /** How long a pump thread with nothing to do waits for work before it ends. */
    private static final long PUMP_LINGER_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Returned by next() to a pump thread that retires. */
    private static final Object RETIRE = new Object();
    /** How long a connection keeps spare segments after its last write, in case output resumes. */
    private static final long SPARE_LINGER_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * How long replies held by a callback that has not returned wait before the watchdog wakes the pump: a
     * callback that pushes, then blocks (a slow call), still gets its reply out, a watchdog tick later.
     */
    private static final long HOLD_MAX_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Signalled when the queued bytes fall to the low watermark, for pushes waiting over the high one. */
    private final Condition drained = lock.newCondition();
    private final int highWatermark;
    private final int lowWatermark;
    private final long writeTimeoutNanos;
    /** Bytes pushed and not yet written, the segment being written included. Guarded by lock. */
    private long queuedBytes;
    /** Bytes of the segments being written now, which discard() cannot recall. Guarded by lock. */
    private long inFlight;
    /** Pushes waiting for the queue to drain. Guarded by lock. */
    private int waitingPushes;
    /**
     * Counts the times the queue drained to the low watermark. A waiting push goes on once this moves, even if
     * other pushers refilled the queue meanwhile: the consumer made progress, so it is not slow, and no pusher
     * starves behind the others. Guarded by lock.
     */
    private long drainEpoch;
    private final ArrayDeque<Object> producerFifo = new ArrayDeque<>();
    private final Connection connection;
    /** Where the bytes go; written by one thread at a time, the pump's or the connection's in a write-through. */
    private final PumpOutput out;
    /**
     * The segments taken off the FIFO for one write, by the thread writing; filled by gather() and emptied by
     * recycle(), both under the lock. Its room is given back with the spares when the connection goes idle.
     */
    private final ArrayList<Segment> writing = new ArrayList<>(0);
    private final int outBufferSize;
    /** Producer output gathered for one write; allocated on first use, since most sessions only push. */
    private byte[] batch;
    private int batchLength;
    /** True when bytes were written to {@code out} since its last flush. Pump thread only. */
    private boolean unflushed;
    /**
     * Written segments kept for reuse while output flows, so a stream of replies allocates no new buffers;
     * the watchdog drops them {@link #SPARE_LINGER_NANOS} after the last write. Guarded by lock.
     */
    private final ArrayDeque<Segment> spares = new ArrayDeque<>();
    /** Whether {@link #spares} may be non-empty, for the watchdog's unlocked look. */
    private volatile boolean hasSpares;
    /** Whether {@link #writing} has grown past a few entries, for the watchdog's unlocked look. */
    private volatile boolean writingGrown;
    /** How many spares to keep: enough full-size segments for a queue over the high watermark. */
    private final int maxSpares;
    /** True while the pump thread waits for work, with nothing in hand. Written under lock; read by the watchdog. */
    private volatile boolean pumpWaiting;
    /** True while the connection thread writes queued segments itself: the pump waits. Guarded by lock. */
    private boolean writingThrough;
    /** True from closeWhenDone or close on: nothing more is queued. Guarded by lock. */
    private boolean closing;
    /**
     * The pump thread while one runs, else null. It starts when work needs it (see {@link #wake()}) and retires
     * after {@link #PUMP_LINGER_NANOS} with nothing to do: an idle connection keeps no pump thread, and a
     * connection whose replies the connection thread writes itself rarely needs one. Changed under lock.
     */
    private volatile Thread pumpThread;
    /** Creates the pump thread, not started. */
    private final ThreadFactory pumpThreads;
    /** Set by the watchdog: the waiting pump thread ends. Guarded by lock. */
    private boolean retire;
    /**
     * The connection thread while it dispatches what one read brought: its pushes do not wake the pump, and
     * when the callbacks return it writes them itself (see {@link #releaseAndWrite()}), so the replies to a
     * read leave in one write with no hand-off between threads. Written by that thread only.
     */
    private volatile Thread holder;
    /**
     * Whether the holder queued work without waking the pump. Any other thread that queues more delivers the
     * wake-up (it sees a non-empty queue and would otherwise assume the pump was woken). Written under lock.
     */
    private volatile boolean wakeupPending;
    /** When {@link #wakeupPending} was last set (System.nanoTime): the watchdog ends holds that last too long. */
    private volatile long pendingSince;
    /** The pump of the connection whose thread is running, so it can release its hold before waiting anywhere. */
    private static final ThreadLocal<ProducerPump> OWN = new ThreadLocal<>();
    /** True once the connection closed: the pump stops at the next item. */
    private volatile boolean stopped;

    ProducerPump(Connection connection, OutputStream out, ChatOptions options, ThreadFactory pumpThreads) {
        this.connection = connection;
        this.pumpThreads = pumpThreads;
        this.out = new PumpOutput(out);
        this.outBufferSize = options.outBufferSize();
        this.highWatermark = options.highWatermark();
        this.lowWatermark = options.lowWatermark();
        this.writeTimeoutNanos = options.writeTimeout().toNanos();
        this.maxSpares = Math.min(MAX_SPARES, highWatermark / Segment.MAX_SIZE + 2);
    }

    /**
     * Queues {@code data}, a copy of it unless {@code copy} is false and the output gathers; returns false if the
     * channel is closing. Over the high watermark, waits (if {@code wait}) for the queue to drain to the low
     * watermark: if the write timeout runs out first, this channel is closed as a slow consumer and the caller
     * goes on.
     */
    boolean push(byte[] data, int offset, int length, boolean wait, boolean copy) {
        boolean slowConsumer = false;
        boolean releaseOwnHold = false;
        lock.lock();
        try {
            if (closing) return false;
            if (length == 0) return true;
            // The pump thread never waits for itself (a producer's error hook pushing, say): it queues over the
            // high watermark, up to four times it, and no further.
            if (Thread.currentThread() == pumpThread) {
                if (queuedBytes > 4L * highWatermark) return false;
            } else if (queuedBytes > highWatermark) {
                if (!wait) {
                    // A caller that retries (tryPush in a loop) needs our own replies moving meanwhile.
                    releaseOwnHold = holdsOwnPump();
                    return false;
                }
                if (holdsOwnPump()) {
                    // Release the hold on our own replies before waiting, without holding this pump's lock
                    // while taking our own pump's (two connections pushing to each other would deadlock).
                    lock.unlock();
                    try {
                        OWN.get().release();
                    } finally {
                        lock.lock();
                    }
                    if (closing) return false;
                }
                // Meanwhile the pump may have drained it all: wait only if it is still over.
                if (queuedBytes > highWatermark) {
                    slowConsumer = !awaitDrained();
                    if (closing || slowConsumer) return false;
                }
            }
            queuedBytes += length;
            if (!copy && length >= MIN_SHARED && out.gathers()) {
                enqueue(Segment.shared(data, offset, length));
                return true;
            }
            Segment tail = producerFifo.peekLast() instanceof Segment s ? s : null;
            if (tail == null || !tail.tryAppend(data, offset, length)) {
                Segment segment = newSegment(length);
                segment.tryAppend(data, offset, length);
                enqueue(segment);
            } else {
                queued(false);
            }
            return true;
        } finally {
            lock.unlock();
            if (releaseOwnHold) OWN.get().release();
            if (slowConsumer) connection.timedOut(CloseReason.WRITE_TIMEOUT, writeTimeoutNanos);
        }
    }

    /** Returns whether the calling thread is a connection thread holding its own pump's wake-up. */
    private static boolean holdsOwnPump() {
        ProducerPump own = OWN.get();
        return own != null && own.holder == Thread.currentThread();
    }

    /** Waits until the queue next drains to the low watermark, or closes; returns false if the write timeout ran out. */
    private boolean awaitDrained() {
        // The queue's own connection thread may hold the pump's wake-up (pipelined requests): deliver it, or the
        // pump could sleep while we wait for it.
        if (wakeupPending) {
            wakeupPending = false;
            wake();
        }
        long left = writeTimeoutNanos;
        long epoch = drainEpoch;
        long progress = out.bytesOut();
        waitingPushes++;
        try {
            while (drainEpoch == epoch && !closing) {
                if (writeTimeoutNanos == 0) {
                    drained.awaitUninterruptibly();
                    continue;
                }
                if (left <= 0) {
                    // The timeout measures a peer that stops reading: a write blocked all along with nothing
                    // written. Bytes that went out meanwhile, or a pump busy in a producer, mean wait again.
                    if (out.bytesOut() == progress && out.writeSince() != 0) return false;
                    progress = out.bytesOut();
                    left = writeTimeoutNanos;
                }
                left = drained.awaitNanos(left);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        } finally {
            waitingPushes--;
        }
    }

    /** Returns when the write in progress started, or 0 if none is. */
    long writeSince() {
        return out.writeSince();
    }

    long bytesOut() {
        return out.bytesOut();
    }

    long lastWrite() {
        return out.lastWrite();
    }

    long queuedBytes() {
        lock.lock();
        try {
            return queuedBytes;
        } finally {
            lock.unlock();
        }
    }

    boolean pushWithProducer(Producer producer) {
        return enqueueUnlessClosing(producer);
    }

    boolean closeWhenDone() {
        return enqueueUnlessClosing(CLOSE_WHEN_DONE);
    }

    private boolean enqueueUnlessClosing(Object item) {
        lock.lock();
        try {
            if (closing) return false;
            enqueue(item);
            closing = item == CLOSE_WHEN_DONE;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Returns whether new output would still be written. */
    boolean isOpen() {
        lock.lock();
        try {
            return !closing;
        } finally {
            lock.unlock();
        }
    }

    /** asynchat's {@code producer_fifo.clear()}; a {@code closeWhenDone} already queued stays queued. */
    void discard() {
        lock.lock();
        try {
            boolean closeQueued = producerFifo.contains(CLOSE_WHEN_DONE);
            producerFifo.clear();
            queuedBytes = inFlight;
            drainEpoch++;
            drained.signalAll();
            if (closeQueued) producerFifo.add(CLOSE_WHEN_DONE);
        } finally {
            lock.unlock();
        }
    }

    /** Stops the pump: drops queued output and wakes the pump thread. */
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

    private void enqueue(Object item) {
        boolean wasEmpty = producerFifo.isEmpty();
        producerFifo.addLast(item);
        queued(wasEmpty);
    }

    /** After queueing, under lock: wakes the pump unless its own connection thread holds the wake-up. */
    private void queued(boolean wasEmpty) {
        if (holder == Thread.currentThread()) {
            if (wasEmpty && !wakeupPending) {
                pendingSince = System.nanoTime();
                wakeupPending = true;
            }
        } else if (wasEmpty || wakeupPending) {
            wakeupPending = false;
            wake();
        }
    }

    /** Marks the calling thread, a connection thread, as this pump's connection's own. */
    void ownedByCurrentThread() {
        OWN.set(this);
    }

    /**
     * Called by the connection thread before it dispatches what a read brought: until {@link #releaseAndWrite()}
     * its pushes queue without waking the pump, so pipelined replies leave together.
     */
    void hold() {
        holder = Thread.currentThread();
    }

    /**
     * Releases a hold without writing (waking the pump if work is pending): the connection thread is about to
     * wait, for a full queue or the end of the connection.
     */
    void release() {
        if (holder != null) {
            holder = null;
            if (wakeupPending) wakePump();
        }
    }

    /**
     * Called by the connection thread once the callbacks for a read have returned: releases the hold and, if the
     * pump is idle and only pushed bytes are queued, writes them itself before it reads again, as an event loop
     * writes before it polls. This saves waking the pump thread, one hand-off per request or pipeline.
     *
     * <p>It writes only what is queued when it starts, and only up to the low watermark of it: more (other
     * threads' pushes, a large reply) goes to the pump, so that this thread soon reads again and a peer that
     * sends before it reads is read up to the high watermark, as before. A queued producer or closeWhenDone is
     * also left to the pump, which may block in them. The writes are stamped for the write timeout.
     */
    void releaseAndWrite() throws IOException {
        if (holder == null) return;
        holder = null;
        if (!wakeupPending) return;
        Object last;
        lock.lock();
        try {
            if (!wakeupPending) return;  // the watchdog, or another pusher, woke the pump meanwhile
            wakeupPending = false;
            last = producerFifo.peekLast();
            boolean pumpIdle = pumpThread == null || pumpWaiting;
            if (!pumpIdle || writingThrough || stopped || queuedBytes > lowWatermark
                    || !(producerFifo.peekFirst() instanceof Segment)) {
                wake();
                return;
            }
            writingThrough = true;
        } finally {
            lock.unlock();
        }
        boolean done = false;
        try {
            // What other threads queue after the last segment is the pump's.
            for (boolean more = true; more; ) {
                more = takeSegments(last);
                out.write(writing);
                recycle();
            }
            out.flush();  // a no-op on sockets, needed on buffered streams
            done = true;
        } finally {
            lock.lock();
            try {
                writingThrough = false;
                // Whatever came meanwhile (a producer, closeWhenDone, another thread's push), or a failed write
                // whose error the pump will not see: the pump takes over.
                if (!producerFifo.isEmpty() || !done) wake();
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * For {@link #releaseAndWrite()}: takes the segments at the head of the FIFO for one write, up to {@code last};
     * returns whether more may follow (it did not reach {@code last}, a producer or the end).
     */
    private boolean takeSegments(Object last) {
        lock.lock();
        try {
            if (stopped || !(producerFifo.peekFirst() instanceof Segment)) return false;
            return gather(last);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Under lock, with a segment at the head of the FIFO: moves it to {@link #writing} with the segments after it
     * that one write takes, stopping after {@code last}; returns whether it stopped for the size of the write
     * only, with segments still at the head.
     */
    private boolean gather(Object last) {
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
        if (writing.size() > 4 && !writingGrown) writingGrown = true;  // tick() gives its room back when idle
        return more;
    }

    /**
     * Called by the watchdog every tick: wakes the pump for replies held longer than {@link #HOLD_MAX_NANOS} by a
     * callback that has not returned, and drops spare segments {@link #SPARE_LINGER_NANOS} after the last write.
     */
    void tick(long now) {
        if (wakeupPending && now - pendingSince > HOLD_MAX_NANOS) wakePump();
        long lastWrite = out.lastWrite();
        if (pumpWaiting && now - lastWrite > PUMP_LINGER_NANOS && lock.tryLock()) {
            try {
                if (pumpWaiting) {
                    retire = true;
                    changed.signal();
                }
            } finally {
                lock.unlock();
            }
        }
        if ((hasSpares || writingGrown) && now - lastWrite > SPARE_LINGER_NANOS && lock.tryLock()) {
            try {
                spares.clear();
                hasSpares = false;
                // Empty under the lock means no write is between gather() and recycle(): its room can go too.
                if (writing.isEmpty()) {
                    writing.trimToSize();
                    writingGrown = false;
                }
            } finally {
                lock.unlock();
            }
        }
    }

    private void wakePump() {
        lock.lock();
        try {
            if (wakeupPending) {
                wakeupPending = false;
                wake();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Under lock: gets the queued work written, by the waiting pump thread or by a new one. */
    private void wake() {
        if (stopped) return;
        if (pumpThread != null) {
            changed.signal();
            return;
        }
        Thread thread = pumpThreads.newThread(this::run);
        thread.start();  // published after it started; it needs this lock, which the caller holds, to go on
        pumpThread = thread;
        retire = false;
    }

    /** {@return whether {@code thread} is this connection's pump thread} */
    boolean isPumpThread(Thread thread) {
        return thread == pumpThread;
    }

    /** Interrupts the pump thread, if one runs and it is not the caller: one blocked in a producer lets go. */
    void interruptPump() {
        Thread thread = pumpThread;
        if (thread != null && thread != Thread.currentThread()) thread.interrupt();
    }

    /**
     * Waits until no pump thread runs. Called by the connection thread after closeWhenDone or stop(), when no
     * new one can start except for work queued before.
     */
    void awaitPumpEnd() throws InterruptedException {
        for (Thread thread; (thread = pumpThread) != null && thread != Thread.currentThread(); ) {
            thread.join();
        }
    }

    private Segment newSegment(int length) {
        Segment spare = spares.peekLast();
        if (spare != null && spare.capacity() >= length) return spares.pollLast();
        return Segment.owned(length);
    }

    /** Runs on a pump thread until the connection closes or the thread retires. */
    private void run() {
        try {
            while (!stopped) {
                Object item = next();
                if (item == RETIRE) {
                    return;
                } else if (item == null) {
                    flushBatch();
                } else if (item == CLOSE_WHEN_DONE) {
                    flushBatch();
                    connection.outputDone();
                    return;
                } else if (item instanceof Segment) {
                    // Pushes gathered into segments (next() took those that follow too): one write, after any
                    // producer output before them.
                    flushBatch();
                    out.write(writing);
                    unflushed = true;
                    recycle();
                } else {
                    runProducer((Producer) item);
                }
            }
        } catch (InterruptedException e) {
            // close() interrupts a pump that waits in a producer or for work: it is ending anyway.
        } catch (Throwable e) {
            // A failed write (the peer is gone), or anything else: never end the pump silently.
            if (!stopped) connection.outputFailed(e);
        } finally {
            ended();
        }
    }

    /** The pump thread ends: a later wake() starts another, unless it already took its place (a retire). */
    private void ended() {
        lock.lock();
        try {
            if (pumpThread == Thread.currentThread()) pumpThread = null;
        } finally {
            lock.unlock();
        }
    }

    /** Returns the next item, or null when the FIFO is empty and the batch must be flushed first. */
    private Object next() throws InterruptedException {
        lock.lock();
        try {
            // While the connection thread writes pushed bytes itself, the pump keeps away from the output.
            while (producerFifo.isEmpty() || writingThrough) {
                if (stopped || batchLength > 0 || unflushed) return null;
                if (retire && !writingThrough && System.nanoTime() - out.lastWrite() > PUMP_LINGER_NANOS) {
                    // Idle for a while: end this thread. Under the lock, so work queued after this starts another.
                    retire = false;
                    pumpThread = null;
                    return RETIRE;
                }
                pumpWaiting = true;
                try {
                    changed.await();
                } finally {
                    pumpWaiting = false;
                }
            }
            retire = false;  // work came: a retire asked for while it waited no longer holds
            Object item = producerFifo.peekFirst();
            if (item instanceof Segment) {
                gather(null);
            } else {
                producerFifo.pollFirst();
            }
            return item;
        } finally {
            lock.unlock();
        }
    }

    private void runProducer(Producer producer) throws IOException {
        boolean mayBlock = !(producer instanceof NonBlocking);
        while (!stopped) {
            // Write what we have before a producer that may block, so earlier output is not held up by it.
            if (mayBlock) flushBatch();
            byte[] chunk;
            try {
                chunk = producer.more();
            } catch (Throwable e) {
                // Errors too: a producer's StackOverflowError must reach handleError, not kill the pump.
                if (e instanceof InterruptedException) Thread.currentThread().interrupt();
                if (!stopped) connection.producerFailed(e);
                return;
            }
            if (chunk == null || chunk.length == 0) return;
            write(chunk, chunk.length);
        }
    }

    private void write(byte[] bytes, int length) throws IOException {
        if (batch == null) batch = new byte[outBufferSize];
        if (batchLength + length <= batch.length) {
            System.arraycopy(bytes, 0, batch, batchLength, length);
            batchLength += length;
            return;
        }
        flushBatch();
        if (length >= batch.length) {
            out.write(bytes, 0, length);
            unflushed = true;
        } else {
            System.arraycopy(bytes, 0, batch, 0, length);
            batchLength = length;
        }
    }

    /** Writes the batch and flushes {@code out} (a no-op on sockets, needed on buffered streams). */
    private void flushBatch() throws IOException {
        if (batchLength > 0) {
            int length = batchLength;
            batchLength = 0;
            out.write(batch, 0, length);
            unflushed = true;
        }
        if (unflushed) {
            unflushed = false;
            out.flush();
        }
    }

    /**
     * Whether {@code next} joins the segments taken so far ({@code bytes} of them) in one write. Only where the
     * output gathers: elsewhere each segment is a write of its own, counted off the queue as soon as it is
     * written. A segment over 64 KiB (a large push) is written alone, in pieces.
     */
    private boolean joins(long bytes, Segment next) {
        return out.gathers() && writing.size() < PumpOutput.MAX_GATHER
                && bytes + next.length <= PumpOutput.MAX_GATHER_BYTES
                && next.length <= Segment.MAX_SIZE && writing.getFirst().length <= Segment.MAX_SIZE;
    }

    /** Counts the segments just written off the queue, wakes pushes waiting for it to drain, keeps some for reuse. */
    private void recycle() {
        lock.lock();
        try {
            for (Segment segment : writing) {
                queuedBytes -= segment.length;
                if (segment.reusable() && spares.size() < maxSpares) {
                    segment.length = 0;
                    spares.addLast(segment);
                    hasSpares = true;
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
}

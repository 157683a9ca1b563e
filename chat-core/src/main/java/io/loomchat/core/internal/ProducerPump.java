package io.loomchat.core.internal;

import io.loomchat.core.ChatOptions;
import io.loomchat.core.Producer;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
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
    /** The first size of a segment. */
    private static final int MIN_SEGMENT = 256;
    /** Segments grow to this size at most; a larger push gets a segment of its own. */
    private static final int MAX_SEGMENT = 64 * 1024;
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
    /** Bytes of the segment the pump is writing now, which discard() cannot recall. Guarded by lock. */
    private long inFlight;
    /** Pushes waiting for the queue to drain. Guarded by lock. */
    private int waitingPushes;
    /**
     * Counts the times the queue drained to the low watermark. A waiting push goes on once this moves, even if
     * other pushers refilled the queue meanwhile: the consumer made progress, so it is not slow, and no pusher
     * starves behind the others. Guarded by lock.
     */
    private long drainEpoch;
    /** When the write in progress started (System.nanoTime), or 0: read by the watchdog. */
    private volatile long writeSince;
    /** When bytes last went out (System.nanoTime), or 0: a connection busy writing is not idle. */
    private volatile long lastWrite;
    /** Bytes written so far, by the one thread writing: the pump's, or the connection's in a write-through. */
    private volatile long bytesOut;
    private final ArrayDeque<Object> producerFifo = new ArrayDeque<>();
    private final Connection connection;
    private final OutputStream out;
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
        this.out = out;
        this.outBufferSize = options.outBufferSize();
        this.highWatermark = options.highWatermark();
        this.lowWatermark = options.lowWatermark();
        this.writeTimeoutNanos = options.writeTimeout().toNanos();
        this.maxSpares = (int) Math.min(MAX_SPARES, highWatermark / MAX_SEGMENT + 2);
    }

    /**
     * Queues a copy of {@code data}; returns false if the channel is closing. Over the high watermark, waits
     * (if {@code wait}) for the queue to drain to the low watermark: if the write timeout runs out first, this
     * channel is closed as a slow consumer and the caller goes on.
     */
    boolean push(byte[] data, int offset, int length, boolean wait) {
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
        long progress = bytesOut;
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
                    if (bytesOut == progress && writeSince != 0) return false;
                    progress = bytesOut;
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
        return writeSince;
    }

    long bytesOut() {
        return bytesOut;
    }

    long lastWrite() {
        return lastWrite;
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
            for (Segment segment; (segment = nextSegment()) != null; ) {
                writeOut(segment.bytes, segment.length);
                recycle(segment);
                if (segment == last) break;  // what other threads queued since is the pump's
            }
            flushOut();  // a no-op on sockets, needed on buffered streams
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

    /** For {@link #releaseAndWrite()}: the segment at the head of the FIFO, taken for writing, or null. */
    private Segment nextSegment() {
        lock.lock();
        try {
            if (stopped || !(producerFifo.peekFirst() instanceof Segment segment)) return null;
            producerFifo.pollFirst();
            inFlight = segment.length;
            return segment;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Called by the watchdog every tick: wakes the pump for replies held longer than {@link #HOLD_MAX_NANOS} by a
     * callback that has not returned, and drops spare segments {@link #SPARE_LINGER_NANOS} after the last write.
     */
    void tick(long now) {
        if (wakeupPending && now - pendingSince > HOLD_MAX_NANOS) wakePump();
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
        if (hasSpares && now - lastWrite > SPARE_LINGER_NANOS && lock.tryLock()) {
            try {
                spares.clear();
                hasSpares = false;
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
        // Small first: a reply is often a few bytes, and a burst grows the segment (up to 64 KiB) as it comes.
        return new Segment(Segment.grown(MIN_SEGMENT, length));
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
                } else if (item instanceof Segment segment) {
                    // Pushes already gathered into this segment: one write, with any producer output before it.
                    flushBatch();
                    writeOut(segment.bytes, segment.length);
                    unflushed = true;
                    recycle(segment);
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
                if (retire && !writingThrough && System.nanoTime() - lastWrite > PUMP_LINGER_NANOS) {
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
            Object item = producerFifo.pollFirst();
            if (item instanceof Segment segment) inFlight = segment.length;
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
            writeOut(bytes, length);
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
            writeOut(batch, length);
            unflushed = true;
        }
        if (unflushed) {
            unflushed = false;
            flushOut();
        }
    }

    /** Flushes {@code out}, stamped for the write timeout: a buffered stream writes here. */
    private void flushOut() throws IOException {
        writeSince = System.nanoTime() | 1;
        try {
            out.flush();
        } finally {
            writeSince = 0;
        }
    }

    /**
     * Writes to the stream in pieces of at most 64 KiB, each stamped for the watchdog: the write timeout
     * measures a peer that stops reading, not a large write to one that reads steadily. Called by the pump, or
     * by the connection thread while the pump waits ({@link #writingThrough}): never by both at once.
     */
    private void writeOut(byte[] bytes, int length) throws IOException {
        for (int offset = 0; offset < length; ) {
            int n = Math.min(MAX_SEGMENT, length - offset);
            writeSince = System.nanoTime() | 1;  // never 0, which means "not writing"
            try {
                out.write(bytes, offset, n);
            } finally {
                writeSince = 0;
            }
            offset += n;
            bytesOut += n;
            lastWrite = System.nanoTime();
        }
    }

    /** Counts a written segment off the queue, wakes pushes waiting for it to drain, and keeps it for reuse. */
    private void recycle(Segment segment) {
        int written = segment.length;
        segment.length = 0;
        lock.lock();
        try {
            queuedBytes -= written;
            inFlight = 0;
            if (waitingPushes > 0 && queuedBytes <= lowWatermark) {
                drainEpoch++;
                drained.signalAll();
            }
            if (segment.capacity() <= MAX_SEGMENT && spares.size() < maxSpares) {
                spares.addLast(segment);
                hasSpares = true;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Pushed bytes, appended to while it waits at the tail of the FIFO. */
    private static final class Segment {
        byte[] bytes;
        int length;

        Segment(int capacity) {
            bytes = new byte[capacity];
        }

        int capacity() {
            return bytes.length;
        }

        /**
         * The capacity for {@code needed} bytes: {@code capacity} times a power of four, at most 64 KiB. Growing
         * fourfold, a burst of large replies grows a segment once or twice, not at every push, and a 16 KiB reply
         * goes straight into a full-size segment that the next replies fill.
         */
        static int grown(int capacity, int needed) {
            if (needed > MAX_SEGMENT) return needed;  // a push of its own
            while (capacity < needed) capacity *= 4;
            return Math.min(capacity, MAX_SEGMENT);
        }

        boolean tryAppend(byte[] data, int offset, int count) {
            int needed = length + count;
            if (needed > bytes.length) {
                if (length > 0 && needed > MAX_SEGMENT) return false;
                bytes = length == 0 ? new byte[grown(bytes.length, needed)]
                        : java.util.Arrays.copyOf(bytes, grown(bytes.length, needed));
            }
            System.arraycopy(data, offset, bytes, length, count);
            length = needed;
            return true;
        }
    }
}

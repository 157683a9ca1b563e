package io.loomchat.core.internal;

import io.loomchat.core.Producer;
import java.io.IOException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The thread that writes a connection's {@link OutputQueue}: started when output needs it, it writes pushed
 * segments (gathered into one write), runs producers (their output batched into {@code outBufferSize} bytes),
 * waits at a {@link TlsSwitch} until the streams are TLS, stops at the close marker (or the shut-output marker),
 * and ends {@link #PUMP_LINGER_NANOS} after its last write with nothing to do. An idle connection keeps no pump
 * thread; one whose replies the connection thread writes itself (see {@link ReplyHold}) rarely needs one.
 */
final class ProducerPump {
    /** How long a pump thread with nothing to do waits for work before it ends. */
    private static final long PUMP_LINGER_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Returned by next() to a pump thread that retires. */
    private static final Object RETIRE = new Object();

    /** What the pump tells the connection that owns it. */
    interface Owner {
        /** Everything before the close marker was written. Called on the pump thread, which then ends. */
        void outputDone();

        /**
         * Everything before the shut-output marker was written: the output is to be shut while input goes on.
         * Called on the pump thread, which then ends.
         */
        void outputShut();

        /** A producer threw: the session's error hook decides. */
        void producerFailed(Throwable error);

        /** A write failed (an IOException: the peer is gone), or the pump itself did. */
        void outputFailed(Throwable error);
    }

    private final OutputQueue queue;
    private final PumpOutput out;
    private final Owner owner;
    private final TimeSource time;
    /** Creates the pump thread, not started. */
    private final ThreadFactory pumpThreads;
    private final int outBufferSize;
    /** The pump thread while one runs, else null. Changed under the queue's lock. */
    private volatile Thread pumpThread;
    /** True while the pump thread waits for work, with nothing in hand. Written under the lock. */
    private volatile boolean pumpWaiting;
    /** Set by the watchdog: the waiting pump thread ends. Guarded by the lock. */
    private boolean retire;
    /** Producer output gathered for one write; allocated on first use, since most sessions only push. */
    private byte[] batch;
    private int batchLength;
    /** True when bytes were written to {@code out} since its last flush. Pump thread only. */
    private boolean unflushed;

    ProducerPump(OutputQueue queue, PumpOutput out, Owner owner, TimeSource time, ThreadFactory pumpThreads,
                 int outBufferSize) {
        this.queue = queue;
        this.out = out;
        this.owner = owner;
        this.time = time;
        this.pumpThreads = pumpThreads;
        this.outBufferSize = outBufferSize;
    }

    /** Under the queue's lock: gets the queued work written, by the waiting pump thread or by a new one. */
    void wake() {
        if (queue.stopped()) return;
        if (pumpThread != null) {
            queue.changed.signal();
            return;
        }
        Thread thread = pumpThreads.newThread(this::run);
        thread.start();  // published after it started; it needs the lock, which the caller holds, to go on
        pumpThread = thread;
        retire = false;
    }

    /** Under the queue's lock: {@return whether no pump thread runs, or it waits with nothing in hand} */
    boolean idle() {
        return pumpThread == null || pumpWaiting;
    }

    /** {@return whether {@code thread} is this connection's pump thread} */
    boolean isPumpThread(Thread thread) {
        return thread == pumpThread;
    }

    /** Interrupts the pump thread, if one runs and it is not the caller: one blocked in a producer lets go. */
    void interrupt() {
        Thread thread = pumpThread;
        if (thread != null && thread != Thread.currentThread()) thread.interrupt();
    }

    /**
     * Waits until no pump thread runs. Called by the connection thread after the close marker was queued or the
     * queue stopped, when no new one can start except for work queued before.
     */
    void awaitEnd() throws InterruptedException {
        for (Thread thread; (thread = pumpThread) != null && thread != Thread.currentThread(); ) {
            thread.join();
        }
    }

    /**
     * As {@link #awaitEnd()}, but an interrupt runs {@code onInterrupt} (which must end the pump) and the wait goes
     * on; the interrupt is kept for the caller.
     */
    void awaitEnd(Runnable onInterrupt) {
        boolean interrupted = false;
        while (true) {
            try {
                awaitEnd();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
                onInterrupt.run();
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** Called by the watchdog: asks a pump thread idle since {@link #PUMP_LINGER_NANOS} to end. */
    void tick(long now) {
        if (!pumpWaiting || now - out.lastWrite() <= PUMP_LINGER_NANOS || !queue.lock.tryLock()) return;
        try {
            if (pumpWaiting) {
                retire = true;
                queue.changed.signal();
            }
        } finally {
            queue.lock.unlock();
        }
    }

    /** Runs on a pump thread until the connection closes or the thread retires. */
    private void run() {
        try {
            while (!queue.stopped()) {
                Object item = next();
                if (item == RETIRE) {
                    return;
                } else if (item == null) {
                    flushBatch();
                } else if (item == OutputQueue.CLOSE_WHEN_DONE) {
                    flushBatch();
                    owner.outputDone();
                    return;
                } else if (item instanceof TlsSwitch tls) {
                    // startTls: the output before it goes out in plain text; after it, over TLS once switched.
                    flushBatch();
                    tls.reached();
                    if (!tls.awaitSwitched()) {
                        // Refused (input was injected), or closed: nothing more goes out in plain text.
                        if (!queue.stopped()) owner.outputDone();
                        return;
                    }
                } else if (item == OutputQueue.SHUTDOWN_OUTPUT_WHEN_DONE) {
                    flushBatch();
                    owner.outputShut();
                    return;
                } else if (item instanceof Segment) {
                    // Pushes gathered into segments (next() took those that follow too): one write, after any
                    // producer output before them.
                    flushBatch();
                    out.write(queue.writing());
                    unflushed = true;
                    queue.recycle();
                } else {
                    runProducer((Producer) item);
                }
            }
        } catch (InterruptedException e) {
            // close() interrupts a pump that waits in a producer or for work: it is ending anyway.
        } catch (Throwable e) {
            // A failed write (the peer is gone), or anything else: never end the pump silently.
            if (!queue.stopped()) owner.outputFailed(e);
        } finally {
            ended();
        }
    }

    /** The pump thread ends: a later wake() starts another, unless it already took its place (a retire). */
    private void ended() {
        queue.lock.lock();
        try {
            if (pumpThread == Thread.currentThread()) pumpThread = null;
        } finally {
            queue.lock.unlock();
        }
    }

    /** Returns the next item, or null when the FIFO is empty and the batch must be flushed first. */
    private Object next() throws InterruptedException {
        queue.lock.lock();
        try {
            // While the connection thread writes pushed bytes itself, the pump keeps away from the output.
            while (queue.isEmpty() || queue.writingThrough) {
                if (queue.stopped() || batchLength > 0 || unflushed) return null;
                if (retire && !queue.writingThrough && time.nanoTime() - out.lastWrite() > PUMP_LINGER_NANOS) {
                    // Idle for a while: end this thread. Under the lock, so work queued after this starts another.
                    retire = false;
                    pumpThread = null;
                    return RETIRE;
                }
                pumpWaiting = true;
                try {
                    queue.changed.await();
                } finally {
                    pumpWaiting = false;
                }
            }
            retire = false;  // work came: a retire asked for while it waited no longer holds
            Object item = queue.peekFirst();
            if (item instanceof Segment) {
                queue.gather(null);
            } else {
                queue.poll();
            }
            return item;
        } finally {
            queue.lock.unlock();
        }
    }

    private void runProducer(Producer producer) throws IOException {
        boolean mayBlock = !(producer instanceof NonBlocking);
        while (!queue.stopped()) {
            // Write what we have before a producer that may block, so earlier output is not held up by it.
            if (mayBlock) flushBatch();
            byte[] chunk;
            try {
                chunk = producer.more();
            } catch (Throwable e) {
                // Errors too: a producer's StackOverflowError must reach handleError, not kill the pump.
                if (e instanceof InterruptedException) Thread.currentThread().interrupt();
                if (!queue.stopped()) owner.producerFailed(e);
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
}

package io.loomchat.core.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** An output queue with its pump and reply hold over an in-memory stream, a clock the test sets, and records. */
final class PumpFixture implements ProducerPump.Owner {
    final AtomicLong now = new AtomicLong(1_000_000_000L);
    final TimeSource time = now::get;
    final ByteArrayOutputStream written = new ByteArrayOutputStream();
    final AtomicInteger threadsStarted = new AtomicInteger();
    final AtomicInteger outputDone = new AtomicInteger();
    final List<Throwable> producerErrors = new CopyOnWriteArrayList<>();
    final List<Throwable> outputErrors = new CopyOnWriteArrayList<>();
    final OutputQueue queue;
    final PumpOutput output;
    final ProducerPump pump;
    final ReplyHold hold;

    PumpFixture(int high, int low, boolean holdReplies) {
        this(high, low, holdReplies, null);
    }

    /** With {@code failing} set, every write throws it. */
    PumpFixture(int high, int low, boolean holdReplies, IOException failing) {
        OutputStream out = failing == null ? written : new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw failing;
            }
        };
        output = new PumpOutput(out, time);
        queue = new OutputQueue(high, low, false);
        pump = new ProducerPump(queue, output, this, time, r -> {
            threadsStarted.incrementAndGet();
            return Thread.ofVirtual().name("test-pump").unstarted(r);
        }, 16);
        hold = new ReplyHold(queue, pump, output, time, holdReplies);
        queue.listener(hold);
    }

    boolean push(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        return queue.offer(bytes, 0, bytes.length, true, Long.MAX_VALUE) == OutputQueue.Offer.QUEUED;
    }

    String written() {
        return written.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void outputShut() {
        outputDone.incrementAndGet();
    }

    @Override
    public void outputDone() {
        outputDone.incrementAndGet();
    }

    @Override
    public void producerFailed(Throwable error) {
        producerErrors.add(error);
    }

    @Override
    public void outputFailed(Throwable error) {
        outputErrors.add(error);
    }
}

package io.loomchat.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A producer whose {@code more()} blocks until the test releases it, then hands out its chunks: a stand-in for a
 * producer waiting on a file, a queue or another server. It gives up (throws) after {@link Runs#TIMEOUT}.
 */
final class GatedProducer implements Producer {
    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private final AtomicBoolean interrupted = new AtomicBoolean();
    private final ConcurrentLinkedDeque<byte[]> chunks = new ConcurrentLinkedDeque<>();

    GatedProducer(String... chunks) {
        for (String chunk : chunks) this.chunks.add(chunk.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public byte[] more() throws InterruptedException {
        entered.countDown();
        try {
            if (!released.await(Runs.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("GatedProducer was never released");
            }
        } catch (InterruptedException e) {
            interrupted.set(true);
            throw e;
        }
        return chunks.poll();
    }

    /** Waits until the pump has called {@code more()}, which is now blocked. */
    void awaitBlocked() throws InterruptedException {
        assertTrue(entered.await(Runs.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), "more() was never called");
    }

    /** Returns whether a blocked {@code more()} was interrupted, as closing the connection does. */
    boolean wasInterrupted() {
        return interrupted.get();
    }

    /** Lets {@code more()} return its chunks. */
    void release() {
        released.countDown();
    }
}

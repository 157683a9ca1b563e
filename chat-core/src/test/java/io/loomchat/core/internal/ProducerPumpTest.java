package io.loomchat.core.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.Producer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The pump thread alone, over an in-memory stream: started on demand, runs producers, stops, retires. */
@Timeout(10)
class ProducerPumpTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private static Producer chunks(String... chunks) {
        int[] next = {0};
        return () -> next[0] < chunks.length ? chunks[next[0]++].getBytes(StandardCharsets.US_ASCII) : null;
    }

    private static void awaitEnd(ProducerPump pump) {
        CompletableFuture.runAsync(() -> {
            try {
                pump.awaitEnd();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, r -> Thread.ofVirtual().start(r)).orTimeout(5, TimeUnit.SECONDS).join();
    }

    @Test
    void workStartsOnePumpThreadWhichWritesWhatComes() {
        PumpFixture f = new PumpFixture(1 << 20, 1 << 16, false);
        assertEquals(0, f.threadsStarted.get(), "no thread until there is output");
        f.push("hello");
        await().atMost(WAIT).until(() -> f.written().equals("hello"));
        f.push(" world");
        await().atMost(WAIT).until(() -> f.written().equals("hello world"));
        assertEquals(1, f.threadsStarted.get(), "the waiting thread took the second push");
    }

    @Test
    void producersRunInOrderWithPushesTheirOutputBatched() {
        PumpFixture f = new PumpFixture(1 << 20, 1 << 16, false);
        f.queue.lock.lock();  // queue it all before the pump thread can take anything
        try {
            f.push("a");
            f.queue.offer(chunks("b", "c", "0123456789abcdefXYZ"));
            f.push("d");
            f.queue.offer(OutputQueue.CLOSE_WHEN_DONE);
        } finally {
            f.queue.lock.unlock();
        }
        awaitEnd(f.pump);
        assertEquals("abc0123456789abcdefXYZd", f.written());
        assertEquals(1, f.outputDone.get(), "the close marker reached after all before it was written");
    }

    @Test
    void anIdlePumpThreadRetiresAndANewOneTakesLaterWork() {
        PumpFixture f = new PumpFixture(1 << 20, 1 << 16, false);
        f.push("one");
        await().atMost(WAIT).until(() -> f.written().equals("one"));
        f.now.addAndGet(Duration.ofMillis(999).toNanos());
        f.pump.tick(f.now.get());
        await().atMost(WAIT).until(() -> f.pump.idle());
        f.now.addAndGet(Duration.ofMillis(2).toNanos());
        f.pump.tick(f.now.get());
        awaitEnd(f.pump);
        f.push("two");
        await().atMost(WAIT).until(() -> f.written().equals("onetwo"));
        assertEquals(2, f.threadsStarted.get());
    }

    @Test
    void aProducerThatThrowsIsReportedAndThePumpGoesOn() {
        PumpFixture f = new PumpFixture(1 << 20, 1 << 16, false);
        IllegalStateException boom = new IllegalStateException("boom (expected by the test)");
        f.queue.offer((Producer) () -> {
            throw boom;
        });
        f.push("after");
        await().atMost(WAIT).until(() -> f.written().equals("after"));
        assertEquals(1, f.producerErrors.size());
        assertTrue(f.producerErrors.get(0) == boom);
    }

    @Test
    void aFailedWriteIsReportedAndEndsThePump() {
        IOException reset = new IOException("reset (expected by the test)");
        PumpFixture f = new PumpFixture(1 << 20, 1 << 16, false, reset);
        f.push("lost");
        await().atMost(WAIT).until(() -> f.outputErrors.size() == 1);
        assertTrue(f.outputErrors.get(0) == reset);
        awaitEnd(f.pump);
    }

    @Test
    void stoppingEndsAWaitingPump() {
        PumpFixture f = new PumpFixture(1 << 20, 1 << 16, false);
        f.push("x");
        await().atMost(WAIT).until(() -> f.written().equals("x"));
        f.queue.stop();
        awaitEnd(f.pump);
        f.push("y");
        assertEquals(1, f.threadsStarted.get(), "a stopped queue starts no pump");
    }
}

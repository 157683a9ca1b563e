package io.loomchat.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.Producer;
import io.loomchat.core.internal.OutputQueue.Offer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The output queue alone: no thread, no stream; what a writer would take from it, and when pushes may go on. */
@Timeout(10)
class OutputQueueTest {
    private final List<Boolean> wakeUps = new ArrayList<>();

    private OutputQueue queue(int high, int low, boolean gathers) {
        OutputQueue queue = new OutputQueue(high, low, gathers);
        queue.listener(wakeUps::add);
        return queue;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** Takes what one write would take, as the pump does, and returns it as text. */
    private static String write(OutputQueue queue) {
        queue.lock.lock();
        try {
            queue.gather(null);
        } finally {
            queue.lock.unlock();
        }
        StringBuilder out = new StringBuilder();
        for (Segment s : queue.writing()) out.append(new String(s.bytes, s.offset, s.length, StandardCharsets.US_ASCII));
        queue.recycle();
        return out.toString();
    }

    @Test
    void pushesJoinTheSegmentAtTheTailAndTheListenerHearsOfEachOne() {
        OutputQueue queue = queue(1000, 100, false);
        assertEquals(Offer.QUEUED, queue.offer(bytes("ab"), 0, 2, true, 1000));
        assertEquals(Offer.QUEUED, queue.offer(bytes("cd"), 0, 2, true, 1000));
        assertEquals(List.of(true, false), wakeUps, "empty before the first push, not before the second");
        assertEquals(4, queue.queuedBytes());
        assertEquals("abcd", write(queue), "one segment, one write");
        assertEquals(0, queue.queuedBytes());
    }

    @Test
    void aPushIsACopyUnlessTheOutputGathersAndItIsLarge() {
        byte[] large = new byte[2048];
        OutputQueue copying = queue(1 << 20, 0, false);
        copying.offer(large, 0, large.length, false, 1 << 20);
        OutputQueue gathering = queue(1 << 20, 0, true);
        gathering.offer(large, 0, large.length, false, 1 << 20);
        copying.lock.lock();
        gathering.lock.lock();
        try {
            assertFalse(large == ((Segment) copying.peekFirst()).bytes, "copied");
            assertSame(large, ((Segment) gathering.peekFirst()).bytes);
        } finally {
            copying.lock.unlock();
            gathering.lock.unlock();
        }
    }

    @Test
    void overTheLimitAPushIsRefusedNotQueued() {
        OutputQueue queue = queue(10, 5, false);
        assertEquals(Offer.QUEUED, queue.offer(new byte[11], 0, 11, true, 10));
        assertEquals(Offer.FULL, queue.offer(new byte[1], 0, 1, true, 10));
        assertEquals(11, queue.queuedBytes());
    }

    @Test
    void afterCloseWhenDoneNothingMoreIsQueued() {
        OutputQueue queue = queue(1000, 100, false);
        Producer producer = () -> null;
        assertTrue(queue.offer(producer));
        assertTrue(queue.offer(OutputQueue.CLOSE_WHEN_DONE));
        assertFalse(queue.isOpen());
        assertEquals(Offer.CLOSED, queue.offer(bytes("late"), 0, 4, true, 1000));
        assertFalse(queue.offer(OutputQueue.CLOSE_WHEN_DONE));
        queue.lock.lock();
        try {
            assertSame(producer, queue.poll());
            assertSame(OutputQueue.CLOSE_WHEN_DONE, queue.poll());
        } finally {
            queue.lock.unlock();
        }
    }

    @Test
    void discardDropsTheOutputButKeepsTheCloseMarker() {
        OutputQueue queue = queue(1000, 100, false);
        queue.offer(bytes("dropped"), 0, 7, true, 1000);
        queue.offer(OutputQueue.CLOSE_WHEN_DONE);
        queue.discard();
        assertEquals(0, queue.queuedBytes());
        queue.lock.lock();
        try {
            assertSame(OutputQueue.CLOSE_WHEN_DONE, queue.poll());
            assertTrue(queue.isEmpty());
        } finally {
            queue.lock.unlock();
        }
    }

    @Test
    void aWaitingPushGoesOnOnceTheQueueDrainsToTheLowWatermark() {
        OutputQueue queue = queue(10, 5, false);
        queue.offer(new byte[12], 0, 12, true, 10);
        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(queue::awaitDrained,
                r -> Thread.ofVirtual().start(r));
        Awaitility.await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(5)).until(() -> !waiting.isDone());
        write(queue);
        assertTrue(waiting.orTimeout(5, TimeUnit.SECONDS).join(), "it goes on: the queue is open");
    }

    @Test
    void stoppingWakesAWaitingPushWhichThenGivesUp() {
        OutputQueue queue = queue(10, 5, false);
        queue.offer(new byte[12], 0, 12, true, 10);
        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(queue::awaitDrained,
                r -> Thread.ofVirtual().start(r));
        queue.stop();
        assertFalse(waiting.orTimeout(5, TimeUnit.SECONDS).join());
        assertTrue(queue.stopped());
        assertEquals(Offer.CLOSED, queue.offer(new byte[1], 0, 1, true, 10));
    }

    @Test
    void writtenSegmentsAreReusedUntilDroppedWhenIdle() {
        OutputQueue queue = queue(1 << 20, 0, false);
        queue.offer(new byte[300], 0, 300, true, 1 << 20);
        queue.lock.lock();
        Segment first;
        try {
            first = (Segment) queue.peekFirst();
        } finally {
            queue.lock.unlock();
        }
        write(queue);
        queue.offer(new byte[10], 0, 10, true, 1 << 20);
        queue.lock.lock();
        try {
            assertSame(first, queue.peekFirst(), "the spare segment is used again");
        } finally {
            queue.lock.unlock();
        }
        write(queue);
        queue.dropSpares();
        queue.offer(new byte[10], 0, 10, true, 1 << 20);
        queue.lock.lock();
        try {
            assertFalse(first == queue.peekFirst(), "dropped when idle: a new segment");
        } finally {
            queue.lock.unlock();
        }
    }
}

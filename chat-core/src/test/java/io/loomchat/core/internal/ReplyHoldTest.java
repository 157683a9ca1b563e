package io.loomchat.core.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The connection thread writing its callbacks' replies itself, with the pump as the fallback. */
@Timeout(10)
class ReplyHoldTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void heldRepliesAreWrittenByTheCallingThreadWithNoPumpThread() throws IOException {
        PumpFixture f = new PumpFixture(1 << 20, 1 << 16, true);
        f.hold.hold();
        f.push("+OK\r\n");
        f.push("+OK\r\n");
        assertEquals("", f.written(), "held while the callbacks run");
        f.hold.releaseAndWrite();
        assertEquals("+OK\r\n+OK\r\n", f.written(), "written before releaseAndWrite returned");
        assertEquals(0, f.threadsStarted.get());
    }

    @Test
    void switchedOffEveryPushGoesToThePump() throws IOException {
        PumpFixture f = new PumpFixture(1 << 20, 1 << 16, false);
        f.hold.hold();
        f.push("+OK\r\n");
        f.hold.releaseAndWrite();
        await().atMost(WAIT).until(() -> f.written().equals("+OK\r\n"));
        assertEquals(1, f.threadsStarted.get());
    }

    @Test
    void aQueueOverTheLowWatermarkIsLeftToThePump() throws IOException {
        PumpFixture f = new PumpFixture(1000, 10, true);
        f.hold.hold();
        f.push("more than ten bytes");
        f.hold.releaseAndWrite();
        await().atMost(WAIT).until(() -> f.written().equals("more than ten bytes"));
        assertEquals(1, f.threadsStarted.get());
    }

    @Test
    void repliesHeldByACallbackThatDoesNotReturnGoOutAfter50Ms() {
        PumpFixture f = new PumpFixture(1 << 20, 1 << 16, true);
        f.hold.hold();
        f.push("held");
        f.now.addAndGet(Duration.ofMillis(50).toNanos());
        f.hold.tick(f.now.get());
        assertEquals(0, f.threadsStarted.get(), "exactly 50 ms: still held");
        f.now.addAndGet(1);
        f.hold.tick(f.now.get());
        await().atMost(WAIT).until(() -> f.written().equals("held"));
        assertEquals(1, f.threadsStarted.get());
    }

    @Test
    void anotherThreadsPushDeliversTheHeldWakeUp() throws Exception {
        PumpFixture f = new PumpFixture(1 << 20, 1 << 16, true);
        f.hold.hold();
        f.push("mine ");
        Thread other = Thread.ofVirtual().start(() -> f.push("theirs"));
        other.join(WAIT);
        await().atMost(WAIT).until(() -> f.written().equals("mine theirs"));
        assertEquals(1, f.threadsStarted.get());
    }
}

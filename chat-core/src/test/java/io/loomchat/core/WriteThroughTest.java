package io.loomchat.core;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The connection thread writes the replies its callbacks pushed itself when the pump is idle: it must write only
 * its own share, keep the write timeout, and never leave a callback's output waiting.
 */
@Timeout(30)
class WriteThroughTest {
    /** Where the connection logs a broken limit. */
    private static final String LIMITS_LOG = "io.loomchat.limits";
    private static final ChatOptions SHORT_WRITE_TIMEOUT = ChatOptions.defaults()
            .withWriteTimeout(Duration.ofMillis(300));

    /**
     * Another thread keeps pushing to a channel as fast as its slow peer reads: the connection thread writes its
     * own reply and goes back to reading, leaving the rest to the pump.
     */
    @Test
    void connectionThreadWritesOnlyWhatWasQueuedAndReadsOn() throws Exception {
        int relays = 100;
        AtomicReference<ChatChannel> channel = new AtomicReference<>();
        AtomicInteger relayed = new AtomicInteger();
        AtomicInteger writers = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicLong relayedWhenBSeen = new AtomicLong(-1);
        AtomicBoolean warmedUp = new AtomicBoolean();
        OutputStream slowPeer = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (writers.incrementAndGet() > 1) overlaps.incrementAndGet();
                try {
                    if (relayed.get() < relays) {
                        relayed.incrementAndGet();
                        Thread.ofVirtual().start(() -> channel.get().push("x\n")).join();
                        Thread.sleep(10);  // the peer reads slowly
                    }
                } catch (InterruptedException e) {
                    throw new InterruptedIOException();
                } finally {
                    writers.decrementAndGet();
                }
            }
        };
        ScriptedInput in = ScriptedInput.open();
        ChatConnection connection = ChatConnection.start(in, slowPeer, ChatOptions.defaults(), ch -> {
            channel.set(ch);
            return RecordingSession.onLines(ch, message -> {
                switch (new String(message, StandardCharsets.UTF_8)) {
                    case "warm" -> warmedUp.set(true);
                    case "a" -> ch.push("A\n");
                    case "b" -> relayedWhenBSeen.set(relayed.get());
                    default -> { }
                }
            });
        });
        try {
            in.feed("warm\n");  // both threads are running, and the pump has nothing to do
            await().atMost(Duration.ofSeconds(5)).untilTrue(warmedUp);
            in.feed("a\n");
            in.feed("b\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> relayedWhenBSeen.get() >= 0);
            assertEquals(0, overlaps.get(), "two threads wrote at once");
            assertTrue(relayedWhenBSeen.get() < relays / 2,
                    "request b was read only after " + relayedWhenBSeen.get() + " other-thread segments");
        } finally {
            connection.close();
        }
    }

    /**
     * An idle connection keeps no pump thread: one starts when output needs it, ends about a second after the
     * last write, and another starts for the next output.
     */
    @Test
    void thePumpThreadEndsWhenIdleAndStartsAgainForOutput() throws Exception {
        CapturedOutput out = new CapturedOutput();
        ScriptedInput in = ScriptedInput.open();
        ChatConnection connection = ChatConnection.start(in, out, ChatOptions.defaults(),
                ch -> RecordingSession.onLines(ch, m -> ch.push("reply\n")));
        try {
            AtomicReference<Thread> first = new AtomicReference<>();
            connection.channel().pushWithProducer(() -> {
                if (first.get() != null) return null;
                first.set(Thread.currentThread());  // producers run on the pump thread
                return "produced\n".getBytes(StandardCharsets.UTF_8);
            });
            await().atMost(Duration.ofSeconds(5)).until(() -> out.escaped().equals("produced\\n"));
            assertTrue(first.get().getName().startsWith("loomchat-pump-"), first.get().getName());
            await().atMost(Duration.ofSeconds(10)).until(() -> !first.get().isAlive());

            in.feed("request\n");  // written by the connection thread itself: no pump needed
            await().atMost(Duration.ofSeconds(5)).until(() -> out.escaped().equals("produced\\nreply\\n"));
            connection.channel().push("from another thread\n");  // a new pump thread writes it
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> out.escaped().equals("produced\\nreply\\nfrom another thread\\n"));
        } finally {
            connection.close();
        }
        assertTrue(connection.awaitClosed(Duration.ofSeconds(5)));
    }

    /** An output whose flush blocks (a buffered stream over a peer that stopped reading) until it is closed. */
    private static final class BlockingFlush extends OutputStream {
        final CountDownLatch closed = new CountDownLatch(1);

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }

        @Override
        public void flush() throws IOException {
            try {
                closed.await();
            } catch (InterruptedException e) {
                throw new InterruptedIOException();
            }
            throw new IOException("closed");
        }

        @Override
        public void close() {
            closed.countDown();
        }
    }

    @Test
    void aFlushBlockedOnThePumpTimesOut() throws Exception {
        try (CapturedLog log = CapturedLog.of(LIMITS_LOG)) {
            ChatConnection connection = ChatConnection.start(ScriptedInput.open(), new BlockingFlush(),
                    SHORT_WRITE_TIMEOUT, ch -> RecordingSession.onLines(ch, m -> { }));
            try {
                connection.channel().push("from another thread\n");  // the pump writes and flushes
                assertTrue(connection.awaitClosed(Duration.ofSeconds(5)), "the write timeout did not close");
            } finally {
                connection.close();
            }
            assertWriteTimeoutLoggedOnce(log);
        }
    }

    @Test
    void aFlushBlockedOnTheConnectionThreadTimesOut() throws Exception {
        try (CapturedLog log = CapturedLog.of(LIMITS_LOG)) {
            ScriptedInput in = ScriptedInput.open();
            ChatConnection connection = ChatConnection.start(in, new BlockingFlush(), SHORT_WRITE_TIMEOUT,
                    ch -> RecordingSession.onLines(ch, m -> ch.push("reply\n")));
            try {
                in.feed("request\n");  // the connection thread writes and flushes its reply itself
                assertTrue(connection.awaitClosed(Duration.ofSeconds(5)), "the write timeout did not close");
            } finally {
                connection.close();
            }
            assertWriteTimeoutLoggedOnce(log);
        }
    }

    /** The broken write timeout is logged once, for the operator, whatever the session does with it. */
    private static void assertWriteTimeoutLoggedOnce(CapturedLog log) {
        assertEquals(1, log.warnings().size(), () -> "one warning: " + log.warnings());
        assertTrue(log.warnings().get(0).contains("writeTimeout (300) exceeded"), log.warnings().get(0));
    }

    /**
     * A callback that streams with tryPush, retrying while the queue is full, has its output written meanwhile
     * (before, it moved only at the watchdog's tick, ~2 high watermarks per 100 ms: about a second here).
     */
    @Test
    void tryPushInACallbackKeepsTheOutputMoving() throws Exception {
        AtomicLong callbackMillis = new AtomicLong(-1);
        byte[] chunk = new byte[1024];
        ScriptedInput in = ScriptedInput.open();
        ChatConnection connection = ChatConnection.start(in, OutputStream.nullOutputStream(),
                ChatOptions.defaults().withWatermarks(512, 1024),
                ch -> RecordingSession.onLines(ch, m -> {
                    long start = System.nanoTime();
                    try {
                        for (int i = 0; i < 20; i++) {
                            while (!ch.tryPush(chunk)) Thread.sleep(1);  // the session backs off, then retries
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    callbackMillis.set(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                }));
        try {
            in.feed("go\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> callbackMillis.get() >= 0);
            assertTrue(callbackMillis.get() < 500, "20 KiB through tryPush took " + callbackMillis.get() + " ms");
        } finally {
            connection.close();
        }
    }
}

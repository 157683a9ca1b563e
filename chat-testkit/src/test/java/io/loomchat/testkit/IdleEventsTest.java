package io.loomchat.testkit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatOptions;
import io.loomchat.core.ChatSession;
import io.loomchat.core.ChatSession.IdleKind;
import io.loomchat.server.ChatServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Idle events: the session hears "no input" and "no output" on the connection's clock, one callback at a time. */
@Timeout(30)
class IdleEventsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Echoes lines; pings when it has written nothing, and says so when it has heard nothing. */
    static final class Heartbeat implements ChatSession {
        private final ChatChannel channel;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        Heartbeat(ChatChannel channel) {
            this.channel = channel;
            channel.setTerminator("\n");
        }

        @Override
        public void collectIncomingData(byte[] data) {
            line.writeBytes(data);
        }

        @Override
        public void foundTerminator() {
            channel.push(line.toString(StandardCharsets.UTF_8) + "\n");
            line.reset();
        }

        @Override
        public void idle(ChatChannel channel, IdleKind kind) {
            channel.push(kind == IdleKind.WRITER ? "PING\n" : "quiet\n");
        }
    }

    @Test
    void idleEventsAreOffByDefault() {
        ManualClock clock = new ManualClock();
        ChatOptions options = ChatOptions.defaults().withClock(clock).withIdleTimeout(Duration.ZERO);
        try (SessionHarness harness = SessionHarness.start(options, Heartbeat::new)) {
            clock.advance(Duration.ofDays(1));
            harness.feed("still nothing\n");
            assertEquals("still nothing\n", harness.takeOutput(), "no ping, no quiet");
        }
        assertEquals(Duration.ZERO, ChatOptions.defaults().readerIdleTime());
        assertThrows(IllegalArgumentException.class,
                () -> ChatOptions.defaults().withIdleEvents(Duration.ofSeconds(-1), Duration.ZERO));
    }

    /** Records each callback's start and end, and fails if two ever overlap; its idle hook waits for a latch. */
    static final class Overlaps implements ChatSession {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final AtomicInteger inside = new AtomicInteger();
        final AtomicInteger mostInside = new AtomicInteger();
        final CountDownLatch idleEntered = new CountDownLatch(1);
        final CountDownLatch releaseIdle = new CountDownLatch(1);
        final CountDownLatch releaseLine = new CountDownLatch(1);
        private final ChatChannel channel;

        Overlaps(ChatChannel channel) {
            this.channel = channel;
            channel.setTerminator("\n");
        }

        private void enter(String call) {
            mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
            calls.add(call + " on " + (Thread.currentThread().getName().endsWith("-idle") ? "idle" : "conn"));
        }

        private void await(CountDownLatch latch) {
            try {
                if (!latch.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) throw new AssertionError("never released");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void collectIncomingData(byte[] data) {
            enter("collect " + new String(data, StandardCharsets.UTF_8));
            inside.decrementAndGet();
        }

        @Override
        public void foundTerminator() {
            enter("found");
            if (calls.size() == 2) await(releaseLine);  // the first line blocks until released
            channel.push("ok\n");
            inside.decrementAndGet();
        }

        @Override
        public void idle(ChatChannel channel, IdleKind kind) {
            enter("idle " + kind);
            idleEntered.countDown();
            if (kind == IdleKind.READER) await(releaseIdle);
            inside.decrementAndGet();
        }
    }

    @Test
    void inputThatArrivesDuringAnIdleEventWaitsForIt() throws Exception {
        ManualClock clock = new ManualClock();
        Overlaps[] session = new Overlaps[1];
        ChatOptions options = ChatOptions.defaults().withClock(clock)
                .withIdleEvents(Duration.ofSeconds(5), Duration.ZERO);
        try (ChatServer server = ChatServer.builder().port(0).options(options)
                .listen(channel -> session[0] = new Overlaps(channel));
             Socket peer = new Socket()) {
            peer.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
            peer.setSoTimeout((int) WAIT.toMillis());
            Overlaps s = awaitSession(session);
            s.releaseLine.countDown();  // not this test's concern
            await("the connection waits in a read").atMost(WAIT)
                    .until(() -> server.stats().open() == 1 && readerWaiting(clock, s));
            assertTrue(s.idleEntered.await(WAIT.toMillis(), TimeUnit.MILLISECONDS), "the idle event came");

            peer.getOutputStream().write("hi\n".getBytes(StandardCharsets.US_ASCII));
            // The line has arrived, but the idle hook still runs: it is not dispatched.
            await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> s.calls.size() == 1);
            s.releaseIdle.countDown();
            InputStream in = peer.getInputStream();
            assertEquals("ok\n", new String(in.readNBytes(3), StandardCharsets.US_ASCII));
            // The clock moved a period a poll until the first event came: more periods may have passed too, and
            // their events come before or after the line (on the connection thread before its next read).
            List<String> calls = List.copyOf(s.calls);
            int line = calls.indexOf("collect hi on conn");
            assertTrue(line >= 1, calls::toString);
            assertEquals("found on conn", calls.get(line + 1), calls::toString);
            List<String> others = new ArrayList<>(calls);
            others.subList(line, line + 2).clear();
            assertTrue(others.stream().allMatch(call -> call.startsWith("idle READER on ")), calls::toString);
            assertEquals(1, s.mostInside.get(), "never two callbacks at once");
        }
    }

    /** Moves the clock past the reader period; true once the event was delivered. */
    private static boolean readerWaiting(ManualClock clock, Overlaps session) {
        clock.advance(Duration.ofSeconds(6));
        return session.idleEntered.getCount() == 0;
    }

    private static Overlaps awaitSession(Overlaps[] session) {
        await("the session").atMost(WAIT).until(() -> session[0] != null);
        return session[0];
    }

    @Test
    void anEventDueWhileACallbackRunsComesAfterItOnTheConnectionThread() throws Exception {
        ManualClock clock = new ManualClock();
        Overlaps[] session = new Overlaps[1];
        ChatOptions options = ChatOptions.defaults().withClock(clock)
                .withIdleEvents(Duration.ZERO, Duration.ofSeconds(5));
        try (ChatServer server = ChatServer.builder().port(0).options(options)
                .listen(channel -> session[0] = new Overlaps(channel));
             Socket peer = new Socket()) {
            peer.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
            peer.setSoTimeout((int) WAIT.toMillis());
            Overlaps s = awaitSession(session);
            peer.getOutputStream().write("hi\n".getBytes(StandardCharsets.US_ASCII));
            await("the first line's callback runs").atMost(WAIT).until(() -> s.calls.size() == 2);
            clock.advance(Duration.ofSeconds(6));  // the writer event is due while foundTerminator blocks
            await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> s.idleEntered.getCount() == 1);
            s.releaseLine.countDown();
            InputStream in = peer.getInputStream();
            assertEquals("ok\n", new String(in.readNBytes(3), StandardCharsets.US_ASCII));
            assertTrue(s.idleEntered.await(WAIT.toMillis(), TimeUnit.MILLISECONDS), "the idle event came");
            assertEquals(List.of("collect hi on conn", "found on conn", "idle WRITER on conn"), s.calls);
            assertEquals(1, s.mostInside.get(), "never two callbacks at once");
        }
    }
}

package io.loomchat.testkit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatLimitException;
import io.loomchat.core.ChatOptions;
import io.loomchat.core.ChatSession;
import io.loomchat.core.CloseReason;
import io.loomchat.server.ChatServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every timeout of a connection, driven by a {@link ManualClock}: in memory and over sockets, in milliseconds. */
@Timeout(30)
class ManualClockTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Where a broken limit is logged, once per connection, however politely the session answers it. */
    private CapturedLog limits;

    @BeforeEach
    void captureLimits() {
        limits = CapturedLog.of("io.loomchat.limits");
    }

    @AfterEach
    void releaseLimits() {
        limits.close();
    }

    private void assertLoggedOnce(String expected) {
        assertEquals(1, limits.warnings().size(), () -> "one warning: " + limits.warnings());
        assertTrue(limits.warnings().get(0).contains(expected), limits.warnings().get(0));
    }

    /** Echoes lines; answers a broken limit with "421 LIMIT" and closes when done; "BIG" sends 8 MiB. */
    static final class PoliteEcho implements ChatSession {
        static final AtomicReference<Throwable> LAST_ERROR = new AtomicReference<>();
        private final ChatChannel channel;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        PoliteEcho(ChatChannel channel) {
            this.channel = channel;
            channel.setTerminator("\n");
        }

        @Override
        public void collectIncomingData(byte[] data) {
            line.writeBytes(data);
        }

        @Override
        public void foundTerminator() {
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            if (text.equals("QUIT")) {
                channel.push("bye\n");
                channel.closeWhenDone();
            } else if (text.equals("BIG")) {
                int[] left = {128};
                channel.pushWithProducer(() -> left[0]-- > 0 ? new byte[64 * 1024] : null);
            } else {
                channel.push(text + "\n");
            }
        }

        @Override
        public void handleError(ChatChannel channel, Throwable error) {
            LAST_ERROR.set(error);
            String limit = error instanceof ChatLimitException e ? e.limit() : error.toString();
            channel.push("421 " + limit + "\n");
            channel.closeWhenDone();
        }
    }

    @Test
    void anIdleSessionIsClosedOnceTheClockPassesTheIdleTimeout() {
        ManualClock clock = new ManualClock();
        ChatOptions options = ChatOptions.defaults().withClock(clock).withIdleTimeout(Duration.ofMinutes(5));
        try (SessionHarness harness = SessionHarness.start(options, PoliteEcho::new)) {
            clock.advance(Duration.ofMinutes(5));  // exactly the timeout is not over it
            harness.feed("still here\n");
            assertEquals("still here\n", harness.takeOutput(), "the session still reads after 5 minutes");

            clock.advance(Duration.ofMinutes(5).plusMillis(1));
            await().atMost(WAIT).until(harness::isClosed);
            assertEquals("421 idleTimeout\n", harness.takeOutput());
            assertEquals("idleTimeout", assertInstanceOf(ChatLimitException.class, harness.errors().get(0)).limit());
        }
        assertLoggedOnce("idleTimeout (300000) exceeded");
    }

    @Test
    void aMessageThatTakesTooLongEndsTheConnection() {
        ManualClock clock = new ManualClock();
        ChatOptions options = ChatOptions.defaults().withClock(clock).withMessageTimeout(Duration.ofSeconds(30));
        try (SessionHarness harness = SessionHarness.start(options, PoliteEcho::new)) {
            harness.feed("half a ");
            clock.advance(Duration.ofSeconds(30));
            harness.feed("line\n");
            assertEquals("half a line\n", harness.takeOutput(), "a line finished within 30 s is answered");

            harness.feed("a line that never ends");
            clock.advance(Duration.ofSeconds(29));
            harness.feed(", still");
            assertEquals("", harness.takeOutput());
            clock.advance(Duration.ofSeconds(1).plusMillis(1));
            await().atMost(WAIT).until(harness::isClosed);
            assertEquals("421 messageTimeout\n", harness.takeOutput());
        }
        assertLoggedOnce("messageTimeout (30000) exceeded");
    }

    @Test
    void timeStandsStillUntilTheClockMoves() {
        ManualClock clock = new ManualClock();
        ChatOptions options = ChatOptions.defaults().withClock(clock).withIdleTimeout(Duration.ofMillis(1));
        try (SessionHarness harness = SessionHarness.start(options, PoliteEcho::new)) {
            // Real time passes; the clock does not: a 1 ms idle timeout does not run out.
            await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> !harness.isClosed());
            harness.feed("hello\n");
            assertEquals("hello\n", harness.takeOutput());
        }
    }

    @Test
    void aPeerThatDoesNotReadIsClosedOnceTheClockPassesTheWriteTimeout() throws Exception {
        ManualClock clock = new ManualClock();
        ChatOptions options = ChatOptions.defaults().withClock(clock).withWriteTimeout(Duration.ofSeconds(30));
        ChatServer server = ChatServer.builder().port(0).options(options).listen(PoliteEcho::new);
        try (Socket deaf = new Socket()) {
            deaf.setReceiveBufferSize(4096);
            deaf.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
            deaf.getOutputStream().write("BIG\n".getBytes(StandardCharsets.US_ASCII));
            // The pump fills the socket buffers and blocks: nothing more goes out.
            AtomicLong last = new AtomicLong(-1);
            await("the server's write to block").pollInterval(Duration.ofMillis(50)).during(Duration.ofMillis(300))
                    .atMost(WAIT).until(() -> {
                        long out = server.stats().bytesOut();
                        return out > 0 && out == last.getAndSet(out);
                    });
            clock.advance(Duration.ofSeconds(30));
            assertEquals(1, server.connectionCount(), "exactly the write timeout is not over it");
            clock.advance(Duration.ofMillis(1));
            await("the deaf peer closed").atMost(WAIT).until(() -> server.connectionCount() == 0);
            assertEquals(1L, server.stats().closedByReason().get(CloseReason.WRITE_TIMEOUT));
            assertEquals("writeTimeout",
                    assertInstanceOf(ChatLimitException.class, PoliteEcho.LAST_ERROR.get()).limit());
        } finally {
            server.close();
        }
        assertLoggedOnce("writeTimeout (30000) exceeded");
    }

    @Test
    void afterTheLastReplyTheConnectionLingersUntilTheClockSaysSo() throws Exception {
        ManualClock clock = new ManualClock();
        ChatOptions options = ChatOptions.defaults().withClock(clock);
        ChatServer server = ChatServer.builder().port(0).options(options).listen(PoliteEcho::new);
        try (Socket client = new Socket()) {
            client.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
            client.setSoTimeout(5_000);
            client.getOutputStream().write("QUIT\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = client.getInputStream();
            assertEquals("bye\n", new String(in.readAllBytes(), StandardCharsets.US_ASCII), "the reply, then EOF");
            // The client neither sends nor closes: the server drains its input for 2 s of the clock, not of ours.
            await("the lingering connection kept").during(Duration.ofMillis(2500)).atMost(WAIT)
                    .until(() -> server.connectionCount() == 1);
            clock.advance(Duration.ofSeconds(2).plusMillis(1));
            await("the connection closed").atMost(WAIT).until(() -> server.connectionCount() == 0);
            assertEquals(1L, server.stats().closedByReason().get(CloseReason.CLOSE_WHEN_DONE));
        } finally {
            server.close();
        }
    }

    @Test
    void theClockMovesOnlyForward() {
        ManualClock clock = new ManualClock();
        assertThrows(IllegalArgumentException.class, () -> clock.advance(Duration.ofMillis(-1)));
        assertEquals(clock.instant().plusSeconds(90), clock.advance(Duration.ofSeconds(90)).instant());
        assertFalse(clock.toString().isEmpty());
    }

}

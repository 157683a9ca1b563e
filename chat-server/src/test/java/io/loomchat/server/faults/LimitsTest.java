package io.loomchat.server.faults;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatLimitException;
import io.loomchat.core.ChatOptions;
import io.loomchat.core.CloseReason;
import io.loomchat.server.CapturedLog;
import io.loomchat.server.ChatServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/** Peers that send too much, too slowly, or nothing: each is closed, and the server serves on. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LimitsTest {
    private static final int CAP = 64 * 1024;

    private ChatServer server;
    private int baseline;
    /** Where a broken limit is logged, once per connection, whatever the session's handleError does. */
    private CapturedLog limits;

    @BeforeEach
    void start() throws IOException {
        FaultProtocol.reset();
        limits = CapturedLog.of("io.loomchat.limits");
        baseline = Leaks.openFileDescriptors();
        server = ChatServer.builder().port(0)
                .options(ChatOptions.defaults()
                        .withIdleTimeout(Duration.ofMillis(500))
                        .withMessageTimeout(Duration.ofMillis(700)))
                .listen(FaultProtocol::new);
    }

    @AfterEach
    void stop() {
        try {
            server.close();
            Leaks.assertNoLeaks(server, baseline);
        } finally {
            limits.close();
        }
    }

    /** Asserts that the log holds one warning for each of {@code expected}, in order, each naming its limit. */
    private void assertLimitsLogged(String... expected) {
        List<String> warnings = limits.warnings();
        assertEquals(expected.length, warnings.size(), () -> "warnings: " + warnings);
        for (int i = 0; i < expected.length; i++) {
            assertTrue(warnings.get(i).contains(expected[i]), warnings.get(i) + " names " + expected[i]);
        }
    }

    @Test
    void hundredMegabytesWithoutTerminatorIsCutOffAtTheCap() throws Exception {
        try (Peer healthy = new Peer(server.port()); Peer flood = new Peer(server.port())) {
            byte[] chunk = new byte[64 * 1024];
            Arrays.fill(chunk, (byte) 'a');
            long sent = 0;
            OutputStream out = flood.socket.getOutputStream();
            try {
                for (; sent < 100L * 1024 * 1024; sent += chunk.length) out.write(chunk);
            } catch (IOException closedByServer) {
                // expected: the server closed long before 100 MB
            }
            flood.readToClose();
            assertTrue(sent < 100L * 1024 * 1024, "the server read all 100 MB");
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> server.stats().closedByReason().get(CloseReason.MESSAGE_TOO_LONG) == 1);
            // The reader never held more than the cap plus a read (the buffer grows to 64 KiB under a flood); then
            // the connection wrote what was queued and, as after any last reply, drained at most 256 KiB of unread
            // input before it closed: it read little more than the cap and that linger.
            long read = server.stats().bytesIn();
            assertTrue(read < CAP + 2L * 64 * 1024 + 256 * 1024 + 100,
                    "read " + read + " bytes for a " + CAP + "-byte cap");
            healthy.assertServed("still-here");
            assertLimitsLogged("maxMessageSize (65536) exceeded");
        }
    }

    @Test
    void lineExactlyAtTheCapPassesAndOneByteMoreCloses() throws Exception {
        String atCap = "ECHO " + "b".repeat(CAP - 5);
        try (Peer peer = new Peer(server.port())) {
            peer.send(atCap + "\n");
            assertEquals(CAP - 5, peer.readLine().length());
            peer.send(atCap + "b\n");
            assertArrayEquals(new byte[0], peer.readToClose());
        }
        await().atMost(Duration.ofSeconds(5))
                .until(() -> server.stats().closedByReason().get(CloseReason.MESSAGE_TOO_LONG) == 1);
        assertEquals(1, FaultProtocol.ERRORS.get(), "the session's handleError heard of it");
        assertLimitsLogged("maxMessageSize (65536) exceeded by /127.0.0.1:");
    }

    /**
     * A polite hook answers in the protocol and logs nothing: each broken limit is still counted in the stats, and
     * logged once per connection.
     */
    @Test
    void errorHookMayAnswerBeforeTheConnectionCloses() throws Exception {
        try (ChatServer answering = ChatServer.builder().port(0)
                .options(ChatOptions.defaults().withMaxMessageSize(16).withIdleTimeout(Duration.ofMillis(300)))
                .listen(channel -> new FaultProtocol(channel) {
                    @Override
                    public void handleError(ChatChannel ch, Throwable error) {
                        ch.push("-ERR " + ((ChatLimitException) error).limit() + "\n");
                    }
                })) {
            try (Peer peer = new Peer(answering.port())) {
                peer.send("ECHO 0123456789abcdef\nECHO never\n");
                assertEquals("-ERR maxMessageSize\n", new String(peer.readToClose(), StandardCharsets.UTF_8));
            }
            try (Peer idle = new Peer(answering.port())) {
                assertEquals("-ERR idleTimeout\n", new String(idle.readToClose(), StandardCharsets.UTF_8));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> answering.stats().closedByReason().get(
                    CloseReason.MESSAGE_TOO_LONG) == 1 && answering.stats().closedByReason().get(
                    CloseReason.IDLE_TIMEOUT) == 1);
        }
        assertLimitsLogged("maxMessageSize (16) exceeded", "idleTimeout (300) exceeded");
    }

    /** An operator who turns the limits' log off still sees every broken limit in the stats. */
    @Test
    void limitsLogTurnedOffStillCountsTheBrokenLimit() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger("io.loomchat.limits");
        Level level = logger.getLevel();
        logger.setLevel(Level.ERROR);
        try (Peer peer = new Peer(server.port())) {
            peer.send("x".repeat(CAP + 1));
            assertArrayEquals(new byte[0], peer.readToClose());
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> server.stats().closedByReason().get(CloseReason.MESSAGE_TOO_LONG) == 1);
        } finally {
            logger.setLevel(level);
        }
        assertLimitsLogged();
    }

    @Test
    void downloadLongerThanTheIdleTimeoutIsNotCutOff() throws Exception {
        try (Peer peer = new Peer(server.port())) {
            // 12 pieces 100 ms apart: 1.2 s of output, while the peer sends nothing for over the 500 ms timeout.
            peer.send("SLOWDOWNLOAD 12\n");
            assertEquals(12 * 16 * 1024, peer.readLine().length());
            peer.assertServed("still-open");
        }
        assertLimitsLogged();
    }

    @Test
    void timeoutsTooLongForNanosecondsAreRejected() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ChatOptions.defaults().withIdleTimeout(Duration.ofSeconds(Long.MAX_VALUE / 2)));
        assertTrue(e.getMessage().startsWith("idleTimeout > 10000 days"), e.getMessage());
    }

    @Test
    void silentPeerIsClosedAfterTheIdleTimeout() throws Exception {
        try (Peer silent = new Peer(server.port())) {
            long start = System.nanoTime();
            silent.readToClose();
            long waited = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertTrue(waited >= 400 && waited < 3000, "closed after " + waited + " ms, for a 500 ms idle timeout");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().closedByReason().get(CloseReason.IDLE_TIMEOUT) == 1);
        try (Peer healthy = new Peer(server.port())) {
            healthy.assertServed("fresh");
        }
        assertLimitsLogged("idleTimeout (500) exceeded");
    }

    @Test
    void tricklingPeerIsClosedAfterTheMessageTimeout() throws Exception {
        try (Peer trickle = new Peer(server.port()); Peer healthy = new Peer(server.port())) {
            // One byte every 100 ms never trips the 500 ms idle timeout, but the line takes too long.
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            boolean closed = false;
            while (!closed && System.nanoTime() < deadline) {
                try {
                    trickle.send("E");
                    healthy.assertServed("ok");
                    Thread.sleep(100);  // the trickle's pace itself, not a wait for a condition
                } catch (IOException e) {
                    closed = true;
                }
            }
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> server.stats().closedByReason().get(CloseReason.MESSAGE_TIMEOUT) == 1);
            healthy.assertServed("after");
        }
        assertLimitsLogged("messageTimeout (700) exceeded");
    }
}

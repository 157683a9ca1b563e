package io.loomchat.server.faults;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.CloseReason;
import io.loomchat.server.CapturedLog;
import io.loomchat.server.ChatServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Peers that vanish, and sessions or producers that fail: that connection closes, the rest go on. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AbortTest {
    /** Where the default {@code handleError} logs. */
    private static final String SESSION_LOG = "io.loomchat.session";
    private ChatServer server;
    private int baseline;

    @BeforeEach
    void start() throws IOException {
        FaultProtocol.reset();
        baseline = Leaks.openFileDescriptors();
        server = ChatServer.builder().port(0).drainTimeout(Duration.ofSeconds(1)).listen(FaultProtocol::new);
    }

    @AfterEach
    void stop() {
        server.close();
        Leaks.assertNoLeaks(server, baseline);
    }

    @Test
    void resetMidMessageClosesOnlyThatConnection() throws Exception {
        try (Peer healthy = new Peer(server.port())) {
            Peer rude = new Peer(server.port());
            rude.send("ECHO half a li");
            rude.socket.setSoLinger(true, 0);  // close() now sends a reset
            rude.close();
            await().atMost(Duration.ofSeconds(5)).until(() -> FaultProtocol.CLOSED.get() == 1);
            healthy.assertServed("fine");
        }
    }

    @Test
    void resetMidOutputClosesOnlyThatConnection() throws Exception {
        try (Peer healthy = new Peer(server.port())) {
            Peer rude = new Peer(server.port());
            rude.send("BIG 4000000\n");
            rude.socket.getInputStream().read(new byte[1024]);  // the output is flowing
            rude.socket.setSoLinger(true, 0);
            rude.close();
            await().atMost(Duration.ofSeconds(5)).until(() -> FaultProtocol.CLOSED.get() == 1);
            healthy.assertServed("fine");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().closedByReason().get(CloseReason.PEER_RESET) == 1);
    }

    @Test
    void halfCloseBeforeTheReplyStillGetsTheReply() throws Exception {
        try (Peer peer = new Peer(server.port())) {
            peer.send("ECHO one\nBIG 100000\nECHO two\n");
            peer.socket.shutdownOutput();
            String all = new String(peer.readToClose(), StandardCharsets.UTF_8);
            assertEquals("one\n" + "x".repeat(100000) + "\ntwo\n", all);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().closedByReason().get(CloseReason.PEER_CLOSED) == 1);
    }

    @Test
    void callbackThatThrowsOnTheFirstMessageClosesOnlyItsConnection() throws Exception {
        try (CapturedLog log = CapturedLog.of(SESSION_LOG)) {
            try (Peer healthy = new Peer(server.port()); Peer thrower = new Peer(server.port())) {
                thrower.send("THROW\nECHO never\n");
                assertEquals(0, thrower.readToClose().length);
                healthy.assertServed("fine");
            }
            assertEquals(1, FaultProtocol.ERRORS.get());
            assertOneWarning(log, "THROW asked for it");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().closedByReason().get(CloseReason.SESSION_ERROR) == 1);
    }

    @Test
    void producerThatThrowsClosesOnlyItsConnection() throws Exception {
        try (CapturedLog log = CapturedLog.of(SESSION_LOG)) {
            try (Peer healthy = new Peer(server.port()); Peer peer = new Peer(server.port())) {
                peer.send("ECHO before\nBADPRODUCER\nECHO after\n");
                String got = new String(peer.readToClose(), StandardCharsets.UTF_8);
                assertTrue(got.startsWith("before\n"), got);
                healthy.assertServed("fine");
            }
            assertEquals(1, FaultProtocol.ERRORS.get());
            assertOneWarning(log, "a producer that throws");
        }
    }

    @Test
    void producerThatThrowsAnErrorReachesHandleErrorAndCloses() throws Exception {
        try (CapturedLog log = CapturedLog.of(SESSION_LOG)) {
            try (Peer healthy = new Peer(server.port()); Peer peer = new Peer(server.port())) {
                peer.send("ECHO before\nERRORPRODUCER\nECHO after\n");
                String got = new String(peer.readToClose(), StandardCharsets.UTF_8);
                assertTrue(got.startsWith("before\n"), got);
                healthy.assertServed("fine");
            }
            assertEquals(1, FaultProtocol.ERRORS.get(), "handleError heard of the Error");
            assertEquals(1, log.warnings().size(), () -> "one warning: " + log.warnings());
        }
    }

    /** The default error hook's one WARN line, whose exception is the session's. */
    private static void assertOneWarning(CapturedLog log, String cause) {
        await().atMost(Duration.ofSeconds(5)).until(() -> !log.warnings().isEmpty());
        List<String> warnings = log.warnings();
        assertEquals(1, warnings.size(), () -> "one warning: " + warnings);
        assertTrue(warnings.get(0).endsWith("| " + cause), warnings.get(0));
    }

    @Test
    void producerBlockedForeverEndsWhenTheChannelCloses() throws Exception {
        try (Peer healthy = new Peer(server.port()); Peer peer = new Peer(server.port())) {
            peer.send("ECHO first\nSTUCKPRODUCER\nECHO queued-behind-it\n");
            assertEquals("first", peer.readLine());
            healthy.assertServed("not-held-up");   // a blocked producer holds up its own channel only
            peer.send("ECHO reading-goes-on\n");    // and not even its own reading
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().messages() >= 5);
        }
        // Closing the server closes the stuck channel: the producer is interrupted, every thread ends.
        server.close();
        assertEquals(1, FaultProtocol.INTERRUPTED_PRODUCERS.get());
    }
}

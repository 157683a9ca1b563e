package io.loomchat.server.faults;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatSession;
import io.loomchat.core.SessionFactory;
import io.loomchat.server.CapturedLog;
import io.loomchat.server.ChatServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** close() keeps its word: within the drain timeout and a second, whatever the sessions do in their callbacks. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ServerCloseTest {
    private static final Duration DRAIN = Duration.ofMillis(500);
    /** The drain, the second close() waits for interrupted connections, and slack for a loaded machine. */
    private static final Duration BOUND = DRAIN.plusSeconds(1).plusMillis(1500);
    private static final int SESSIONS = 50;

    /** Sessions that block in foundTerminator until {@code release} opens, as {@code waiting} counts them in. */
    private static SessionFactory blocking(CountDownLatch release, boolean ignoreInterrupts, AtomicInteger waiting,
                                           AtomicInteger closed) {
        return channel -> {
            channel.setTerminator("\n");
            return new ChatSession() {
                @Override
                public void collectIncomingData(byte[] data) {
                }

                @Override
                public void foundTerminator() {
                    waiting.incrementAndGet();
                    while (true) {
                        try {
                            release.await();
                            return;
                        } catch (InterruptedException e) {
                            if (!ignoreInterrupts) return;
                        }
                    }
                }

                @Override
                public void serverClosing(ChatChannel channel) {
                }

                @Override
                public void closed() {
                    closed.incrementAndGet();
                }
            };
        };
    }

    private static List<Peer> blockAll(ChatServer server, AtomicInteger waiting) throws Exception {
        List<Peer> peers = new ArrayList<>();
        for (int i = 0; i < SESSIONS; i++) peers.add(new Peer(server.port()).send("block\n"));
        await("every session in its callback").atMost(Duration.ofSeconds(10)).until(() -> waiting.get() == SESSIONS);
        return peers;
    }

    @Test
    void sessionsBlockedInACallbackAreInterruptedAfterTheDrainAndEnd() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        AtomicInteger waiting = new AtomicInteger();
        AtomicInteger closed = new AtomicInteger();
        ChatServer server = ChatServer.builder().port(0).drainTimeout(DRAIN)
                .listen(blocking(never, false, waiting, closed));
        List<Peer> peers = blockAll(server, waiting);
        try (CapturedLog log = CapturedLog.of("io.loomchat.server.internal.AcceptLoop")) {
            ChatServer.ShutdownReport report = server.shutdown();
            assertTrue(report.took().compareTo(BOUND) < 0, report.toString());
            assertEquals(List.of(SESSIONS, 0, SESSIONS, 0), List.of(report.connections(), report.drained(),
                    report.aborted(), report.stuckInCallback()), report.toString());
            assertFalse(report.drainedInTime());
            assertEquals(0, server.connectionCount());
            assertEquals(SESSIONS, closed.get(), "every session heard closed()");
            assertTrue(log.warnings().isEmpty(), () -> "nothing hung: " + log.warnings());
        } finally {
            for (Peer peer : peers) peer.close();
        }
    }

    @Test
    void aSessionThatIgnoresTheInterruptIsReportedAndNoLongerCountedAsOpen() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger waiting = new AtomicInteger();
        AtomicInteger closed = new AtomicInteger();
        ChatServer server = ChatServer.builder().port(0).drainTimeout(DRAIN)
                .listen(blocking(release, true, waiting, closed));
        List<Peer> peers = blockAll(server, waiting);
        try (CapturedLog log = CapturedLog.of("io.loomchat.server.internal.AcceptLoop")) {
            ChatServer.ShutdownReport report = server.shutdown();
            assertTrue(report.took().compareTo(BOUND) < 0, report.toString());
            assertEquals(List.of(SESSIONS, 0, SESSIONS, SESSIONS), List.of(report.connections(), report.drained(),
                    report.aborted(), report.stuckInCallback()), report.toString());
            assertEquals(report, server.shutdown(), "a second call returns the same report");
            assertEquals(0, server.connectionCount(), "reported, and no longer counted as open");
            List<String> warnings = log.warnings();
            assertEquals(SESSIONS, warnings.size(), () -> "one warning a session: " + warnings);
            assertTrue(warnings.get(0).contains("did not return from its callback")
                    && warnings.get(0).contains("foundTerminator"), warnings.get(0));
            assertEquals(SESSIONS, server.stats().closedByReason().values().stream().mapToLong(Long::longValue).sum());
        } finally {
            release.countDown();  // the sessions let go: their connections end, and each hears closed()
            await("the sessions' connections ended").atMost(Duration.ofSeconds(10)).until(() -> closed.get() == SESSIONS);
            for (Peer peer : peers) peer.close();
        }
        assertEquals(SESSIONS, server.stats().closedByReason().values().stream().mapToLong(Long::longValue).sum(),
                "counted once each");
    }

    @Test
    void connectionsThatDrainInTimeAreReportedSo() throws Exception {
        ChatServer server = ChatServer.builder().port(0).drainTimeout(Duration.ofSeconds(10)).listen(channel -> {
            channel.setTerminator("\n");
            return new ChatSession() {
                @Override
                public void collectIncomingData(byte[] data) {
                }

                @Override
                public void foundTerminator() {
                    channel.push("ok\n");
                }

                @Override
                public void serverClosing(ChatChannel channel) {
                    channel.push("bye\n");
                }
            };
        });
        List<Peer> peers = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                Peer peer = new Peer(server.port()).send("hi\n");
                assertEquals("ok", peer.readLine());
                peers.add(peer);
            }
            ChatServer.ShutdownReport report = server.shutdown();
            assertEquals(List.of(3, 3, 0, 0), List.of(report.connections(), report.drained(), report.aborted(),
                    report.stuckInCallback()), report.toString());
            assertEquals(0, report.outputDropped());
            assertTrue(report.drainedInTime());
            assertTrue(report.took().compareTo(Duration.ofSeconds(10)) < 0, report.toString());
            for (Peer peer : peers) assertEquals("bye", peer.readLine());
        } finally {
            for (Peer peer : peers) peer.close();
        }
    }

    @Test
    void outputLeftQueuedAtTheDrainTimeoutIsCountedAsDropped() throws Exception {
        byte[] chunk = new byte[16 * 1024];
        CountDownLatch full = new CountDownLatch(1);
        ChatServer server = ChatServer.builder().port(0).drainTimeout(DRAIN).listen(channel -> {
            channel.setTerminator("\n");
            return new ChatSession() {
                @Override
                public void collectIncomingData(byte[] data) {
                }

                @Override
                public void foundTerminator() {
                    // The peer reads nothing: the kernel's buffers fill, then the queue, and push waits, until the
                    // server closes the connection at the drain timeout.
                    while (channel.isOpen()) {
                        if (!channel.tryPush(chunk)) {
                            full.countDown();
                            channel.push(chunk);
                        }
                    }
                }
            };
        });
        try (java.net.Socket peer = new java.net.Socket()) {
            peer.setReceiveBufferSize(4096);
            peer.connect(server.address(), 5000);
            peer.getOutputStream().write("flood\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            assertTrue(full.await(10, java.util.concurrent.TimeUnit.SECONDS), "the output queue filled");
            ChatServer.ShutdownReport report = server.shutdown();
            assertEquals(List.of(1, 0, 1, 0), List.of(report.connections(), report.drained(), report.aborted(),
                    report.stuckInCallback()), report + " " + server.stats());
            assertTrue(report.outputDropped() > 0, report.toString());
        }
    }
}

package io.loomchat.server.faults;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatSession;
import io.loomchat.core.CloseReason;
import io.loomchat.server.CapturedLog;
import io.loomchat.server.ChatServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Many connections: over the maximum, in a burst, under load, and at shutdown. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ConnectionsTest {

    @Test
    void connectionsOverTheMaximumAreRefusedWithTheMessage() throws Exception {
        FaultProtocol.reset();
        int baseline = Leaks.openFileDescriptors();
        ChatServer server = ChatServer.builder().port(0).maxConnections(3).refusalMessage("busy\n")
                .listen(FaultProtocol::new);
        try (CapturedLog log = CapturedLog.of("io.loomchat.server.internal.AcceptLoop")) {
            List<Peer> admitted = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Peer peer = new Peer(server.port());
                peer.assertServed("in-" + i);  // served: counted as open before the next one comes
                admitted.add(peer);
            }
            for (int i = 0; i < 5; i++) {
                try (Peer refused = new Peer(server.port())) {
                    assertEquals("busy\n", new String(refused.readToClose(), StandardCharsets.UTF_8));
                }
            }
            assertEquals(5, server.stats().refused());
            // Each refusal is logged once, for the operator: the server is at its maximum.
            assertEquals(5, log.warnings().size(), () -> "five warnings: " + log.warnings());
            for (String warning : log.warnings()) {
                assertTrue(warning.matches("refused /127\\.0\\.0\\.1:\\d+: 3 connections open, the maximum"), warning);
            }
            for (Peer peer : admitted) peer.assertServed("still-in");
            admitted.get(0).close();
            await().atMost(Duration.ofSeconds(5)).until(() -> server.connectionCount() == 2);
            try (Peer next = new Peer(server.port())) {
                next.assertServed("a-free-place");
            }
            for (Peer peer : admitted) peer.close();
        } finally {
            server.close();
        }
        Leaks.assertNoLeaks(server, baseline);
    }

    @Test
    void burstOfFiveThousandShortConnectionsLeavesNothingBehind() throws Exception {
        FaultProtocol.reset();
        int baseline = Leaks.openFileDescriptors();
        ChatServer server = ChatServer.listen(0, FaultProtocol::new);
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < 5000; i++) {
                int n = i;
                done.add(clients.submit(() -> {
                    try (Peer peer = new Peer(server.port())) {
                        if (n % 2 == 0) peer.assertServed("n" + n);  // half talk, half just come and go
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) f.get(60, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(20)).until(() -> FaultProtocol.CLOSED.get() == 5000);
            assertEquals(5000, server.stats().accepted());
            try (Peer after = new Peer(server.port())) {
                after.assertServed("after-the-burst");
            }
        } finally {
            server.close();
        }
        Leaks.assertNoLeaks(server, baseline);
    }

    @Test
    void twoThousandClientsTimesTwoHundredRequestsLoseNothing() throws Exception {
        FaultProtocol.reset();
        int clients = 2000;
        int requests = 200;
        try (ChatServer server = ChatServer.listen(0, FaultProtocol::new);
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            AtomicInteger replies = new AtomicInteger();
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int id = c;
                done.add(pool.submit(() -> {
                    try (Peer peer = new Peer(server.port())) {
                        // Pipelined in batches of 20, then every reply checked in order.
                        for (int batch = 0; batch < requests; batch += 20) {
                            StringBuilder out = new StringBuilder();
                            for (int r = batch; r < batch + 20; r++) out.append("ECHO ").append(id).append('.').append(r).append('\n');
                            peer.send(out.toString());
                            for (int r = batch; r < batch + 20; r++) {
                                String reply = peer.readLine();
                                if (!reply.equals(id + "." + r)) throw new AssertionError("got " + reply + " for " + id + "." + r);
                                replies.incrementAndGet();
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) f.get(90, TimeUnit.SECONDS);
            assertEquals(clients * requests, replies.get());
            await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().messages() == (long) clients * requests);
        }
    }

    @Test
    void shutdownDeliversQueuedOutputOfAThousandConnectionsBeforeClosing() throws Exception {
        AtomicInteger goodbyes = new AtomicInteger();
        int baseline = Leaks.openFileDescriptors();
        ChatServer server = ChatServer.builder().port(0).drainTimeout(Duration.ofSeconds(20))
                .listen(channel -> new ChatSession() {
                    {
                        channel.setTerminator("\n");
                    }

                    @Override
                    public void collectIncomingData(byte[] data) {
                    }

                    @Override
                    public void foundTerminator() {
                        channel.push("x".repeat(100_000) + "\n");  // a reply the client has not read yet
                    }

                    @Override
                    public void serverClosing(ChatChannel ch) {
                        goodbyes.incrementAndGet();
                        ch.push("bye\n");
                    }
                });
        List<Peer> peers = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 1000; i++) peers.add(new Peer(server.port()));
            for (Peer peer : peers) peer.send("go\n");
            await().atMost(Duration.ofSeconds(30)).until(() -> server.stats().messages() == 1000);
            // Close while the replies are queued and unread; read them meanwhile, as clients would.
            List<Future<byte[]>> received = new ArrayList<>();
            for (Peer peer : peers) received.add(pool.submit(peer::readToClose));
            server.close();
            for (Future<byte[]> f : received) {
                String got = new String(f.get(60, TimeUnit.SECONDS), StandardCharsets.UTF_8);
                assertEquals(100_000 + 1 + 4, got.length(), "reply, then goodbye, then close");
                assertTrue(got.endsWith("\nbye\n"));
            }
        } finally {
            for (Peer peer : peers) closeQuietly(peer);
        }
        assertEquals(1000, goodbyes.get());
        assertEquals(1000L, server.stats().closedByReason().get(CloseReason.SHUTDOWN));
        Leaks.assertNoLeaks(server, baseline);
    }

    private static void closeQuietly(Peer peer) {
        try {
            peer.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.loomchat.server.faults;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatOptions;
import io.loomchat.core.ChatSession;
import io.loomchat.core.CloseReason;
import io.loomchat.server.CapturedLog;
import io.loomchat.server.ChatServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Peers that stop reading: their output is bounded, they are closed, and nobody else waits for them. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SlowConsumerTest {
    /** Where a broken limit is logged, once per connection. */
    private static final String LIMITS_LOG = "io.loomchat.limits";
    private static final ChatOptions TIGHT = ChatOptions.defaults()
            .withWatermarks(16 * 1024, 64 * 1024)
            .withWriteTimeout(Duration.ofMillis(800));

    @Test
    void peerThatNeverReadsIsClosedAfterTheWriteTimeout() throws Exception {
        FaultProtocol.reset();
        int baseline = Leaks.openFileDescriptors();
        ChatServer server = ChatServer.builder().port(0).options(TIGHT).listen(FaultProtocol::new);
        try (CapturedLog limits = CapturedLog.of(LIMITS_LOG)) {
            try (Peer healthy = new Peer(server.port()); Peer deaf = new Peer(server.port(), 4096)) {
                // Ask for 400 x 100 KB and never read: the socket buffers fill, then the queue, then the
                // reader waits in push, which stops it reading: backpressure all the way to the deaf peer.
                for (int i = 0; i < 400 && !deaf.socket.isOutputShutdown(); i++) {
                    try {
                        deaf.send("BIG 100000\n");
                    } catch (IOException closed) {
                        break;
                    }
                }
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> server.stats().closedByReason().get(CloseReason.WRITE_TIMEOUT) == 1);
                healthy.assertServed("unaffected");
            }
            assertEquals(1, FaultProtocol.ERRORS.get(), "handleError heard of the writeTimeout");
            assertEquals(1, limits.warnings().size(), () -> "one warning: " + limits.warnings());
            assertTrue(limits.warnings().get(0).contains("writeTimeout (800) exceeded"), limits.warnings().get(0));
        } finally {
            server.close();
        }
        Leaks.assertNoLeaks(server, baseline);
    }

    private static int readMessages(Peer reader, String filler, int expected) {
        try {
            for (int i = 0; i < expected; i++) {
                String got = reader.readLine();
                if (!got.endsWith(filler)) throw new AssertionError("a torn message: " + got.length() + " chars");
            }
            return expected;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A chat room that broadcasts with push(), which waits while a member's queue is full. */
    static final class Room {
        final Set<ChatChannel> members = ConcurrentHashMap.newKeySet();

        ChatSession join(ChatChannel channel) {
            channel.setTerminator("\n");
            members.add(channel);
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            return new ChatSession() {
                @Override
                public void collectIncomingData(byte[] data) {
                    line.writeBytes(data);
                }

                @Override
                public void foundTerminator() {
                    line.write('\n');
                    byte[] message = line.toByteArray();
                    line.reset();
                    for (ChatChannel member : members) member.push(message);
                }

                @Override
                public void closed() {
                    members.remove(channel);
                }
            };
        }
    }

    @Test
    void chatMemberWhoStopsReadingDoesNotStallTwentyOthers() throws Exception {
        Room room = new Room();
        int baseline = Leaks.openFileDescriptors();
        // 21 readers on 2 cores: a healthy one may wait for a core for a while, so allow more than TIGHT does.
        ChatOptions options = TIGHT.withWriteTimeout(Duration.ofSeconds(3));
        ChatServer server = ChatServer.builder().port(0).options(options).listen(room::join);
        try (CapturedLog limits = CapturedLog.of(LIMITS_LOG)) {
            List<Peer> talkers = new ArrayList<>();
            Peer stuck = new Peer(server.port(), 4096);  // never reads
            try {
                for (int i = 0; i < 20; i++) talkers.add(new Peer(server.port()));
                await().atMost(Duration.ofSeconds(5)).until(() -> room.members.size() == 21);
                String filler = "y".repeat(8000);
                int rounds = 30;
                // Every talker reads on its own thread, as a real client would, counting whole messages.
                List<CompletableFuture<Integer>> received = new ArrayList<>();
                for (Peer reader : talkers) {
                    received.add(CompletableFuture.supplyAsync(() -> readMessages(reader, filler, 20 * rounds),
                            Executors.newVirtualThreadPerTaskExecutor()));
                }
                // 20 talkers x 30 messages of 8 KB: far more than the stuck member's buffers and watermark.
                for (int round = 0; round < rounds; round++) {
                    for (int t = 0; t < talkers.size(); t++) talkers.get(t).send(t + ":" + round + ":" + filler + "\n");
                }
                for (CompletableFuture<Integer> count : received) {
                    assertEquals(20 * rounds, count.get(30, TimeUnit.SECONDS), "messages a talker received");
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> room.members.size() == 20);
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> server.stats().closedByReason().get(CloseReason.WRITE_TIMEOUT) == 1);
                // Only the stuck member broke a limit, and the operator is told once.
                assertEquals(1, limits.warnings().size(), () -> "one warning: " + limits.warnings());
                assertTrue(limits.warnings().get(0).contains("writeTimeout (3000) exceeded by "
                        + stuck.socket.getLocalSocketAddress()), limits.warnings().get(0));
            } finally {
                stuck.close();
                for (Peer p : talkers) p.close();
            }
        } finally {
            server.close();
        }
        Leaks.assertNoLeaks(server, baseline);
    }
}

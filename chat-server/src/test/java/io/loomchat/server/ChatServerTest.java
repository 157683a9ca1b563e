package io.loomchat.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatLimitException;
import io.loomchat.core.ChatOptions;
import io.loomchat.core.CloseReason;
import io.loomchat.core.SessionFactory;
import io.loomchat.server.Transcribing.Transcript;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** ChatServer over real loopback sockets: ports, shutdown, peer half-close, and failures kept to one connection. */
@Timeout(60)
class ChatServerTest {

    @Test
    void portZeroPicksAFreeEphemeralPort() throws Exception {
        BlockingQueue<Transcribing> created = Transcribing.queue();
        try (ChatServer any = ChatServer.listen(0, channel -> new LineEcho(channel, created));
             ChatServer loopback = loopbackServer(channel -> new LineEcho(channel, created))) {
            assertTrue(any.port() > 0, "port " + any.port());
            assertTrue(loopback.port() > 0, "port " + loopback.port());
            assertNotEquals(any.port(), loopback.port());
            for (ChatServer server : List.of(any, loopback)) {
                try (PlainClient client = PlainClient.connect(server.port())) {
                    assertEquals("hi\n", client.send("hi\n").shutdownOutput().readTextToEnd());
                }
            }
        }
    }

    @Test
    void closeClosesEveryConnectionTellsEachSessionOnceAndLeavesNoLoomchatThread() throws Exception {
        BlockingQueue<Transcribing> created = Transcribing.queue();
        List<PlainClient> clients = new ArrayList<>();
        ChatServer server = loopbackServer(channel -> new LineEcho(channel, created));
        try {
            List<Transcribing> sessions = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                PlainClient client = PlainClient.connect(server.port());
                clients.add(client);
                assertEquals("hello " + i + "\n", client.send("hello " + i + "\n").read(8));
                sessions.add(Transcribing.next(created));
            }
            assertEquals(3, server.connectionCount());
            List<String> running = JdkTools.liveThreadsNamed("loomchat-");
            assertTrue(running.contains("loomchat-accept-" + server.port()), running.toString());
            assertTrue(running.stream().filter(name -> name.startsWith("loomchat-conn-")).count() >= 3,
                    running.toString());
            Thread waiter = Thread.ofVirtual().start(() -> {
                try {
                    server.awaitClose();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });

            server.close();

            for (int i = 0; i < sessions.size(); i++) {
                assertEquals(new Transcript(List.of("hello " + i), ""), sessions.get(i).awaitTranscript());
                assertEquals(1, sessions.get(i).closedCalls());
            }
            assertEquals(0, server.connectionCount());
            for (PlainClient client : clients) assertEquals("", client.readTextToEnd());
            assertTrue(waiter.join(PlainClient.TIMEOUT), "awaitClose() returned");
            assertThrows(IOException.class, () -> PlainClient.connect(server.port()).close());
            await().atMost(PlainClient.TIMEOUT).untilAsserted(() ->
                    assertEquals(List.of(), JdkTools.liveThreadsNamed("loomchat-")));
            server.close(); // again: nothing to do
        } finally {
            server.close();
            for (PlainClient client : clients) client.close();
        }
    }

    @Test
    void peerHalfCloseStillGetsTheRepliesToWhatItSentThenEndOfStream() throws Exception {
        BlockingQueue<Transcribing> created = Transcribing.queue();
        try (ChatServer server = loopbackServer(channel -> new LineEcho(channel, created));
             PlainClient client = PlainClient.connect(server.port())) {
            client.send("a\nb\nc").shutdownOutput();

            assertEquals("a\nb\n", client.readTextToEnd());
            assertEquals(new Transcript(List.of("a", "b"), "c"), Transcribing.next(created).awaitTranscript());
        }
    }

    @Test
    void oneShotReplyFromTheSessionFactoryIsWrittenBeforeTheServerCloses() throws Exception {
        try (ChatServer server = loopbackServer(channel -> {
            channel.push("quote of the day\r\n");
            channel.closeWhenDone();
            return new LineEcho(channel, Transcribing.queue());
        });
             PlainClient client = PlainClient.connect(server.port())) {
            assertEquals("quote of the day\r\n", client.readTextToEnd());
        }
    }

    @Test
    void throwingSessionClosesOnlyItsConnectionAndTheServerKeepsServing() throws Exception {
        BlockingQueue<Transcribing> created = Transcribing.queue();
        try (CapturedLog log = CapturedLog.of("io.loomchat.session");
             ChatServer server = loopbackServer(channel -> new LineEcho(channel, created));
             PlainClient before = PlainClient.connect(server.port());
             PlainClient failing = PlainClient.connect(server.port())) {
            assertEquals("one\n", before.send("one\n").read(4));

            assertEquals("", failing.send("boom\nnever\n").readTextToEnd());

            assertEquals("two\n", before.send("two\n").read(4));
            try (PlainClient after = PlainClient.connect(server.port())) {
                assertEquals("three\n", after.send("three\n").shutdownOutput().readTextToEnd());
            }
            assertEquals(1, log.events().size(), "one warning for the failed session");
        }
    }

    @Test
    void lineOverMaxMessageSizeClosesOnlyThatConnection() throws Exception {
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        BlockingQueue<Transcribing> created = Transcribing.queue();
        ChatOptions max16 = ChatOptions.defaults().withMaxMessageSize(16);
        try (CapturedLog limits = CapturedLog.of("io.loomchat.limits");
             ChatServer server = ChatServer.builder().bindAddress(InetAddress.getLoopbackAddress()).options(max16)
                .listen(channel -> new LineEcho(channel, created) {
                    @Override
                    public void handleError(ChatChannel channel, Throwable error) {
                        errors.add(error);
                        channel.close();
                    }
                });
             PlainClient fits = PlainClient.connect(server.port());
             PlainClient tooLong = PlainClient.connect(server.port())) {
            assertEquals("", tooLong.send("x".repeat(17)).readTextToEnd());

            assertEquals("0123456789abcdef\n", fits.send("0123456789abcdef\n").read(17));
            assertEquals(1, errors.size());
            assertInstanceOf(ChatLimitException.class, errors.get(0));
            // The hook kept the error to itself: the server still counts it, and logs it once for the operator.
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> server.stats().closedByReason().get(CloseReason.MESSAGE_TOO_LONG) == 1);
            assertEquals(1, limits.warnings().size(), () -> "one warning: " + limits.warnings());
            assertTrue(limits.warnings().get(0).contains("maxMessageSize (16) exceeded"), limits.warnings().get(0));
        }
    }

    @Test
    void chatClientToAPortNobodyListensOnFailsToConnect() throws Exception {
        int port;
        try (ChatServer server = loopbackServer(channel -> new LineEcho(channel, Transcribing.queue()))) {
            port = server.port();
        }

        assertThrows(IOException.class, () -> ChatClient.connect("127.0.0.1", port,
                channel -> new LineEcho(channel, Transcribing.queue())));
    }

    @Test
    void builderRefusesPortsAndBacklogsOutOfRange() {
        assertEquals("port out of range: 70000",
                assertThrows(IllegalArgumentException.class, () -> ChatServer.builder().port(70000)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> ChatServer.builder().port(-1));
        assertThrows(IllegalArgumentException.class, () -> ChatServer.builder().backlog(0));
    }

    private static ChatServer loopbackServer(SessionFactory factory) throws IOException {
        return ChatServer.builder().bindAddress(InetAddress.getLoopbackAddress()).listen(factory);
    }

    /** Echoes every line; "boom" makes it throw, to reach the default handleError. */
    private static class LineEcho extends Transcribing {
        LineEcho(ChatChannel channel, BlockingQueue<Transcribing> created) {
            super(channel, created);
            channel.setTerminator("\n");
        }

        @Override
        void onMessage(byte[] message) {
            String line = new String(message, StandardCharsets.UTF_8);
            if (line.equals("boom")) throw new IllegalStateException("session bug (expected by the test)");
            channel.push(message);
            channel.push("\n");
        }
    }
}

package io.loomchat.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.awaitility.Awaitility.await;

import io.loomchat.examples.chat.ChatRoom;
import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatOptions;
import io.loomchat.core.ChatSession;
import io.loomchat.core.SessionFactory;
import io.loomchat.server.ChatServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The chat room, with nc (netcat-openbsd) sessions and plain sockets. */
@Timeout(60)
class ChatRoomTest {
    private static final String PROMPT = "* welcome to the loomchat room; your nickname?\r\n";
    private static final String GOODBYE = "* the room is closing; goodbye\r\n";
    private final ChatRoom room = new ChatRoom();
    private ChatServer server;

    @BeforeEach
    void start() throws Exception {
        // A member who stops reading is closed after 2 s; until then, messages to it wait.
        server = ChatServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0)
                .options(ChatOptions.defaults().withWriteTimeout(Duration.ofSeconds(2))).listen(room);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void twoNcSessionsJoinChatListAndLeave() throws Exception {
        RealClient.requireOpenBsdNetcat();
        String port = Integer.toString(server.port());
        // alice types \n line ends; bob's nc -C sends \r\n, as telnet would.
        try (RealClient alice = RealClient.start("nc", "127.0.0.1", port);
             RealClient bob = RealClient.start("nc", "-C", "127.0.0.1", port)) {
            alice.expectLine(PROMPT);
            alice.send("alice\n");
            alice.expectLine("* hello alice; here: alice; /who lists, /quit leaves\r\n");

            bob.expectLine(PROMPT);
            bob.send("bob\n");
            bob.expectLine("* hello bob; here: alice, bob; /who lists, /quit leaves\r\n");
            alice.expectLine("* bob joined\r\n");

            bob.send("hi alice\n");
            alice.expectLine("bob: hi alice\r\n");
            alice.send("hello bob, caf\u00e9 \u2615\n");
            bob.expectLine("alice: hello bob, caf\u00e9 \u2615\r\n");

            alice.send("/who\n");
            alice.expectLine("* here: alice, bob\r\n");
            bob.send("/quit\n");
            bob.expectLine("* bye bob\r\n");
            // nc (without -N) keeps the connection after its input ends: it exits because the room closed it.
            bob.closeInput();
            assertEquals(0, bob.awaitExit(), "nc exit code");
            alice.expectLine("* bob left\r\n");
        }
    }

    @Test
    void invalidOrTakenNicknamesAreAskedAgain() throws Exception {
        try (Peer alice = Peer.connect(server.port()); Peer other = Peer.connect(server.port())) {
            alice.expectLine(PROMPT);
            alice.send("alice\r\n");
            alice.readLine();
            other.expectLine(PROMPT);
            other.send("al ice\n");
            other.expectLine("* a nickname is 1 to 20 letters, digits, _ or -; your nickname?\r\n");
            other.send("alice\n");
            other.expectLine("* alice is taken; your nickname?\r\n");
            other.send("alice2\n");
            other.expectLine("* hello alice2; here: alice, alice2; /who lists, /quit leaves\r\n");
        }
    }

    @Test
    void messagesGoToEveryOtherMemberButNotTheSender() throws Exception {
        try (Peer a = join("a"); Peer b = join("b"); Peer c = join("c")) {
            a.expectLine("* b joined\r\n");
            a.expectLine("* c joined\r\n");
            b.expectLine("* c joined\r\n");
            a.send("one\n");
            b.expectLine("a: one\r\n");
            c.expectLine("a: one\r\n");
            c.send("two\n");
            a.expectLine("c: two\r\n");
            b.expectLine("c: two\r\n");
            // a got nothing of its own: its next line is c's message, not "a: one".
            a.send("/who\n");
            a.expectLine("* here: a, b, c\r\n");
        }
    }

    @Test
    void closingWithoutQuitIsAnnouncedAsLeaving() throws Exception {
        try (Peer alice = join("alice")) {
            Peer bob = join("bob");
            alice.expectLine("* bob joined\r\n");
            bob.close();
            alice.expectLine("* bob left\r\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> room.nicknames().equals(List.of("alice")));
        }
    }

    @Test
    void linesAfterQuitAreIgnored() throws Exception {
        try (Peer alice = join("alice"); Peer bob = join("bob")) {
            alice.expectLine("* bob joined\r\n");
            bob.send("/quit\nstill here?\n/who\n");
            bob.expectLine("* bye bob\r\n");
            bob.expectClosed();
            alice.expectLine("* bob left\r\n");
            alice.send("/who\n");
            alice.expectLine("* here: alice\r\n");
        }
    }

    @Test
    void unknownCommandsAreAnswered() throws Exception {
        try (Peer alice = join("alice")) {
            alice.send("/dance\n");
            alice.expectLine("* unknown command /dance; try /who or /quit\r\n");
        }
    }

    @Test
    void serverCloseSaysGoodbyeOnceToEachMemberAndAnnouncesNoDepartures() throws Exception {
        List<Peer> members = new ArrayList<>();
        try {
            joinAll(server.port(), List.of("a", "b", "c", "d", "e"), members);
            Peer unnamed = Peer.connect(server.port());
            members.add(unnamed);
            unnamed.expectLine(PROMPT);
            server.close();
            expectGoodbyeOnly(members);
        } finally {
            for (Peer member : members) member.close();
        }
    }

    @Test
    void departureDuringShutdownIsNotAnnounced() throws Exception {
        // The order that lets a departure through: b's serverClosing waits until a has closed and left.
        HeldBack heldBack = new HeldBack(new ChatRoom(), 2);
        ChatServer held = Peer.server(heldBack);
        List<Peer> members = new ArrayList<>();
        try {
            joinAll(held.port(), List.of("a", "b"), members);
            held.close();
            assertEquals(0, heldBack.otherClosed.getCount(), "a closed while b's serverClosing was held back");
            expectGoodbyeOnly(members);
        } finally {
            held.close();
            for (Peer member : members) member.close();
        }
    }

    @Test
    void memberThatStopsReadingDoesNotStallTheOthers() throws Exception {
        // A tiny receive buffer, fixed before connecting, so the stalled member's socket fills almost at once.
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 10_000);
        try (CapturedLog limits = CapturedLog.of("io.loomchat.limits");
             Peer stalled = Peer.on(socket); Peer sender = join("sender"); Peer reader = join("reader")) {
            stalled.expectLine(PROMPT);
            stalled.send("stalled\n");
            stalled.readLine();
            sender.expectLine("* reader joined\r\n");
            sender.expectLine("* stalled joined\r\n");
            reader.expectLine("* stalled joined\r\n");
            // 8 MB: far more than the socket buffers between the room and the member that reads nothing more.
            String text = "x".repeat(1000);
            int count = 8000;
            assertTimeoutPreemptively(Duration.ofSeconds(40), () -> {
                Thread writer = Thread.ofVirtual().start(() -> {
                    try {
                        for (int i = 0; i < count; i++) sender.send(i + " " + text + "\n");
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
                boolean stalledLeft = false;
                for (int i = 0; i < count; ) {
                    String line = reader.readLine();
                    // The stalled member is closed after the write timeout, and the room says so meanwhile.
                    if (line.equals("* stalled left\r\n") && !stalledLeft) {
                        stalledLeft = true;
                        continue;
                    }
                    assertEquals("sender: " + i + " " + text + "\r\n", line, "message " + i + " in order");
                    i++;
                }
                assertTrue(stalledLeft || reader.readLine().equals("* stalled left\r\n"), "the stalled member was closed");
                writer.join();
            });
            // loomchat says why it closed the member, once.
            List<String> warnings = limits.warnings();
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).contains("writeTimeout (2000) exceeded"), warnings.get(0));
        }
    }

    /** Joins one member per nickname, in order, each hearing of every later one: then nothing is on its way. */
    private static void joinAll(int port, List<String> nicknames, List<Peer> members) throws Exception {
        for (String nickname : nicknames) members.add(join(port, nickname));
        for (int i = 0; i < nicknames.size(); i++) {
            for (String later : nicknames.subList(i + 1, nicknames.size())) {
                members.get(i).expectLine("* " + later + " joined\r\n");
            }
        }
    }

    /** Checks that each member, named or not, hears the goodbye once, and no departure: then the end of stream. */
    private static void expectGoodbyeOnly(List<Peer> members) throws Exception {
        List<String> received = new ArrayList<>();
        for (Peer member : members) received.add(Escape.escape(member.readUntilClosed()));
        assertEquals(Collections.nCopies(members.size(), Escape.escape(GOODBYE)), received,
                "what each member received until closed, in the order they connected");
    }

    private Peer join(String nickname) throws Exception {
        return join(server.port(), nickname);
    }

    private static Peer join(int port, String nickname) throws Exception {
        Peer peer = Peer.connect(port);
        peer.expectLine(PROMPT);
        peer.send(nickname + "\n");
        String welcome = peer.readLine();
        assertEquals("* hello " + nickname, welcome.substring(0, welcome.indexOf(';')));
        return peer;
    }
    /**
     * The room, with the serverClosing of the {@code held}-th connection held back until another connection's
     * closed() has returned (10 seconds at most); every other call goes straight through.
     */
    private static final class HeldBack implements SessionFactory {
        private final SessionFactory factory;
        private final int held;
        private final AtomicInteger connections = new AtomicInteger();
        final CountDownLatch otherClosed = new CountDownLatch(1);

        HeldBack(SessionFactory factory, int held) {
            this.factory = factory;
            this.held = held;
        }

        @Override
        public ChatSession create(ChatChannel channel) throws Exception {
            ChatSession session = factory.create(channel);
            boolean isHeld = connections.incrementAndGet() == held;
            return new ChatSession() {
                @Override
                public void collectIncomingData(byte[] data) {
                    session.collectIncomingData(data);
                }

                @Override
                public void foundTerminator() {
                    session.foundTerminator();
                }

                @Override
                public void serverClosing(ChatChannel closing) {
                    if (isHeld) awaitOtherClosed();
                    session.serverClosing(closing);
                }

                @Override
                public void closed() {
                    session.closed();
                    if (!isHeld) otherClosed.countDown();
                }
            };
        }

        private void awaitOtherClosed() {
            try {
                otherClosed.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

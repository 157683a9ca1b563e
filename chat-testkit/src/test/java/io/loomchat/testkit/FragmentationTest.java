package io.loomchat.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatSession;
import io.loomchat.core.Terminator;
import io.loomchat.server.ChatServer;
import io.loomchat.testkit.examples.BrokenEcho;
import io.loomchat.testkit.examples.ChatRoom;
import io.loomchat.testkit.examples.Echo;
import io.loomchat.testkit.examples.LengthPrefixed;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class FragmentationTest {

    /** Sessions that answer each line with how many lines their factory's sessions have seen: shared state. */
    static final class Remembers implements io.loomchat.core.SessionFactory {
        private final java.util.concurrent.atomic.AtomicInteger lines = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public io.loomchat.core.ChatSession create(io.loomchat.core.ChatChannel channel) {
            channel.setTerminator("\n");
            return new io.loomchat.core.ChatSession() {
                @Override
                public void collectIncomingData(byte[] data) {
                }

                @Override
                public void foundTerminator() {
                    channel.push(lines.incrementAndGet() + "\n");
                }
            };
        }
    }

    @Test
    void stateSharedByTheSessionsOfOneFactoryLeaksFromRunToRun() {
        AssertionError e = assertThrows(AssertionError.class, () -> Fragmentation.of(new Remembers()).inMemoryOnly()
                .replay(client -> client.send("hi\n").expect("1\n")));
        assertTrue(e.getMessage().startsWith("Fragmentation changes what the session does"), e.getMessage());
    }

    @Test
    void ofFreshStartsEveryRunFromAFactoryOfItsOwn() {
        Fragmentation.ofFresh(Remembers::new).replay(client -> client.send("hi\n").expect("1\n")
                .send("there\n").expect("2\n"));
    }

    @Test
    void catchesASessionThatAssumesAWholeLineArrivesInOneRead() {
        AssertionError e = assertThrows(AssertionError.class, () -> Fragmentation.of(BrokenEcho::new)
                .replay(client -> client.send("hello\r\n").expect("hello\r\n")));
        assertEquals("""
                Fragmentation changes what the session does (in memory, 7 client bytes, 1 fragmentation tried).
                Smallest fragmentation found that changes it: 2 reads, split at byte 1 (every single split point)
                With it (> one read each, < what came back):
                  > h
                  < h\\r\\n
                  > ello\\r\\n
                  < ello\\r\\n
                As written (1 read):
                  > hello\\r\\n
                  < hello\\r\\n
                To reproduce, replay this transcript with SessionHarness.start(factory).conversation().replay(\
                transcript), where each > line is one read:
                  > h
                  > ello\\r\\n
                  < hello\\r\\n
                """, e.getMessage());
    }

    @Test
    void theTranscriptInTheReportReproducesTheFailure() {
        AssertionError e = assertThrows(AssertionError.class, () -> Fragmentation.of(BrokenEcho::new)
                .inMemoryOnly().replay(client -> client.send("one\r\n").expect("one\r\n")
                        .send("two\r\n").expect("two\r\n")));
        String message = e.getMessage();
        String reproducer = Arrays.stream(message.substring(message.indexOf("is one read:\n") + 13).split("\n"))
                .map(line -> line.substring(2)).collect(Collectors.joining("\n"));
        try (Conversation broken = SessionHarness.start(BrokenEcho::new).conversation()) {
            assertThrows(AssertionError.class, () -> broken.replay(reproducer));
        }
        try (Conversation correct = SessionHarness.start(Echo::new).conversation()) {
            correct.replay(reproducer);
        }
    }

    @Test
    void catchesTwoRequestsInOnePacket() {
        AssertionError e = assertThrows(AssertionError.class, () -> Fragmentation.of(FirstLineOnly::new)
                .inMemoryOnly().replay("""
                        > one\\r\\n
                        < one\\r\\n
                        > two\\r\\n
                        < two\\r\\n
                        """));
        assertTrue(e.getMessage().startsWith("""
                Fragmentation changes what the session does (in memory, 10 client bytes, 1 fragmentation tried).
                Smallest fragmentation found that changes it: 1 read (whole)
                With it (> one read each, < what came back):
                  > one\\r\\ntwo\\r\\n
                  < one\\r\\n
                As written (2 reads, split at byte 5):
                """), e.getMessage());
    }

    @Test
    void shrinksARandomFragmentationAndNamesItsSeed() {
        AssertionError e = assertThrows(AssertionError.class, () -> Fragmentation.of(ThreePiecesBreakIt::new)
                .inMemoryOnly().seed(99).replay(client -> client.send("abcdefghijklmnop\r\n")
                        .expect("abcdefghijklmnop\r\n")));
        String message = e.getMessage();
        assertTrue(message.contains("\nSmallest fragmentation found that changes it: 3 reads, split at bytes "),
                message);
        assertTrue(message.contains("(random splits, seed 99, run "), message);
    }

    @Test
    void shrinksOneBytePerReadToTheFewestReadsThatStillBreakIt() {
        AssertionError e = assertThrows(AssertionError.class, () -> Fragmentation.of(ThreePiecesBreakIt::new)
                .inMemoryOnly().randomRuns(0).replay(client -> client.send("abcdef\r\n").expect("abcdef\r\n")));
        assertTrue(e.getMessage().contains("\nSmallest fragmentation found that changes it: 3 reads, split at bytes "
                + "4, 5 (one byte per read, made smaller from 8 reads, split at bytes 1, 2, 3, 4, 5, 6, 7)\n"),
                e.getMessage());
    }

    @Test
    void catchesTheBrokenSessionOverTcpWhereEachFragmentIsReadOnItsOwn() {
        AssertionError e = assertThrows(AssertionError.class, () -> Fragmentation.of(BrokenEcho::new).overTcpOnly()
                .replay(client -> client.send("hello there\r\n").expect("hello there\r\n")));
        String message = e.getMessage();
        assertTrue(message.startsWith("Fragmentation changes what the session does (over TCP to 127.0.0.1:"), message);
        assertTrue(message.contains(", each fragment read on its own, 13 client bytes, 1 fragmentation tried).\n"
                + "Smallest fragmentation found that changes it: 2 reads, split at byte 1 (every single split point)\n"
                + "With it (> one read each, < what came back):\n"
                + "  > h\n"
                + "  > ello there\\r\\n\n"
                + "  >EOF\n"
                + "  < h\\r\\n\n"
                + "  < ello there\\r\\n\n"
                + "  <EOF\n"), message);
    }

    @Test
    void aServerItDoesNotRunIsProvedOverTcpAlone() throws IOException {
        try (ChatServer server = ChatServer.builder().bindAddress(InetAddress.getLoopbackAddress())
                .listen(Echo::new)) {
            Fragmentation.overSocket("127.0.0.1", server.port())
                    .replay(client -> client.send("one\r\n").expect("one\r\n").send("two\r\n").expect("two\r\n"));
            assertThrows(IllegalStateException.class, () -> Fragmentation.overSocket("127.0.0.1", 1).inMemoryOnly());
        }
    }

    @Test
    void correctSessionsPassEveryFragmentationInMemoryAndOverTcp() throws URISyntaxException {
        Fragmentation.of(Echo::new).replay(ConversationTest.transcript("echo.txt"));
        Fragmentation.of(new ChatRoom()).replay(ConversationTest.transcript("chatroom.txt"));
        Fragmentation.of(LengthPrefixed::new).replay(client -> client
                .send("SEND 7\r\nab\r\ncde").expect("got 7 bytes: ab\r\ncde\r\n")
                .send("NOPE\r\n").expect("ERR\r\n")
                .send("SEND 2\r\n").send("ok").expect("got 2 bytes: ok\r\n"));
    }

    @Test
    void aConversationThatFailsAsWrittenFailsWithItsOwnMessage() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> Fragmentation.of(Echo::new).replay(client -> client.send("a\r\n").expect("b\r\n")));
        assertTrue(e.getMessage().startsWith("expect(\"b\\r\\n\") failed (step 2, talking to an in-memory session)"),
                e.getMessage());
    }

    /** Answers only the first line of each read: right when each request has a packet of its own. */
    static final class FirstLineOnly implements ChatSession {
        private final ChatChannel channel;

        FirstLineOnly(ChatChannel channel) {
            this.channel = channel;
            channel.setTerminator(Terminator.none());
        }

        @Override
        public void collectIncomingData(byte[] data) {
            String text = new String(data, StandardCharsets.UTF_8);
            int end = text.indexOf("\r\n");
            if (end >= 0) channel.push(text.substring(0, end + 2));
        }

        @Override
        public void foundTerminator() {
        }
    }

    /** An echo that garbles a line arriving in three pieces or more: only some random splits find it. */
    static final class ThreePiecesBreakIt implements ChatSession {
        private final ChatChannel channel;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private int pieces;

        ThreePiecesBreakIt(ChatChannel channel) {
            this.channel = channel;
            channel.setTerminator("\r\n");
        }

        @Override
        public void collectIncomingData(byte[] data) {
            line.writeBytes(data);
            pieces++;
        }

        @Override
        public void foundTerminator() {
            channel.push(pieces >= 3 ? "garbled\r\n" : line.toString(StandardCharsets.UTF_8) + "\r\n");
            line.reset();
            pieces = 0;
        }
    }
}

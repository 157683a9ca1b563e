package io.loomchat.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.server.ChatServer;
import io.loomchat.testkit.examples.Echo;
import io.loomchat.testkit.internal.Escapes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class ConversationTest {
    private static ChatServer echo;

    @BeforeAll
    static void startEcho() throws IOException {
        echo = ChatServer.builder().bindAddress(InetAddress.getLoopbackAddress()).listen(Echo::new);
    }

    @AfterAll
    static void stopEcho() {
        echo.close();
    }

    @Test
    void aFailureAboutALargeExchangeShowsWhereItDiffersNotAllOfIt() {
        String line = "k".repeat(50_000);  // under the default maxMessageSize
        try (Conversation client = SessionHarness.start(Echo::new).conversation()) {
            AssertionError e = assertThrows(AssertionError.class,
                    () -> client.send(line + "\r\n").expect("k".repeat(49_990) + "X" + "k".repeat(9) + "\r\n"));
            String message = e.getMessage();
            assertTrue(message.startsWith("expect(") && message.contains("the bytes differ at index 49990"), message);
            assertTrue(message.contains("(49690 bytes, then) \"kkk"), message);
            assertTrue(message.length() < 12_000, "the report is " + message.length() + " characters");
            assertTrue(message.contains("lines left out"), "the transcript's middle is cut");
            assertTrue(message.contains("characters left out"), "the transcript's long lines are cut");
        }
    }

    @Test
    void everyKindOfExpectationPassesAgainstAnEchoServer() {
        try (Conversation client = Conversation.connect(echo)) {
            client.send("hello\r\n").expect("hello\r\n")
                    .sendLine("a line").expectLine("a line")
                    .send("read me\r\n");
            assertEquals("read me", client.readLine());
            client.send(new byte[] {1, 2, 3, '\r', '\n'});
            assertEquals("\\x01\\x02\\x03", Escapes.escape(client.readBytes(3)));
            client.expect(new byte[] {'\r', '\n'})
                    .send("250 2.0.0 ok\r\n").expectMatch("\\d{3} [\\d.]+ \\w+\r\n")
                    .shutdownOutput().expectClosed();
        }
    }

    @Test
    void aDifferentByteFailsAtOnceAndShowsTheExchange() {
        try (Conversation client = Conversation.connect(echo).timeout(Duration.ofSeconds(30))) {
            AssertionError e = assertTimeoutPreemptively(Duration.ofSeconds(5),
                    () -> assertThrows(AssertionError.class, () -> client.send("help\r\n").expect("hello\r\n")));
            assertEquals("expect(\"hello\\r\\n\") failed (step 2, talking to 127.0.0.1:" + echo.port() + "): "
                    + "the bytes differ at index 3\n"
                    + "  expected: \"hello\\r\\n\"\n"
                    + "  received: \"help\\r\\n\"\n"
                    + "transcript so far (> sent, < received):\n"
                    + "  > help\\r\\n\n"
                    + "  < help\\r\\n\n", e.getMessage());
        }
    }

    @Test
    void silenceFailsAfterTheTimeoutShowingWhatDidArrive() {
        try (Conversation client = Conversation.connect(echo).timeout(Duration.ofMillis(300))) {
            AssertionError e = assertThrows(AssertionError.class, () -> client.send("a\r\nb").expect("a\r\nb\r\n"));
            assertEquals("expect(\"a\\r\\nb\\r\\n\") failed (step 2, talking to 127.0.0.1:" + echo.port() + "): "
                    + "nothing more arrived within 300 ms\n"
                    + "  expected: \"a\\r\\nb\\r\\n\"\n"
                    + "  received: \"a\\r\\n\"\n"
                    + "transcript so far (> sent, < received):\n"
                    + "  > a\\r\\nb\n"
                    + "  < a\\r\\n\n", e.getMessage());
        }
    }

    @Test
    void thePeerClosingFailsAnExpectationItCannotMeetAnyMore() throws IOException {
        try (ChatServer server = ChatServer.builder().bindAddress(InetAddress.getLoopbackAddress()).listen(channel -> {
            channel.push("bye\r\n");
            channel.closeWhenDone();
            return new Echo(channel);
        }); Conversation client = Conversation.connect(server)) {
            AssertionError e = assertThrows(AssertionError.class, () -> client.expect("bye\r\nmore"));
            assertTrue(e.getMessage().startsWith("expect(\"bye\\r\\nmore\") failed (step 1, talking to 127.0.0.1:"
                    + server.port() + "): the peer closed the connection\n"
                    + "  expected: \"bye\\r\\nmore\"\n"
                    + "  received: \"bye\\r\\n\", then end of stream\n"), e.getMessage());
            assertTrue(e.getMessage().endsWith("  < bye\\r\\n\n  <EOF\n"), e.getMessage());
        }
    }

    @Test
    void expectClosedFailsWhenBytesArriveInstead() {
        try (Conversation client = Conversation.connect(echo)) {
            AssertionError e = assertThrows(AssertionError.class, () -> client.send("x\r\n").expectClosed());
            assertTrue(e.getMessage().startsWith("expectClosed() failed (step 2, talking to 127.0.0.1:" + echo.port()
                    + "): bytes arrived instead\n  expected: end of stream (the peer closing the connection)\n"
                    + "  received: \"x\\r\\n\""), e.getMessage());
        }
    }

    @Test
    void aRegularExpressionThatCanNoLongerMatchFailsAtOnce() {
        try (Conversation client = Conversation.connect(echo).timeout(Duration.ofSeconds(30))) {
            AssertionError e = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThrows(
                    AssertionError.class, () -> client.send("12 ERR\r\n").expectMatch("\\d+ OK\r\n")));
            assertTrue(e.getMessage().startsWith("expectMatch(/\\d+ OK\r\n/) failed (step 2, talking to 127.0.0.1:"
                    + echo.port() + "): what arrived does not match\n"), e.getMessage());
        }
    }

    @Test
    void aServerThatIsNotLoomchatIsTalkedToTheSameWay() throws Exception {
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Future<String> server = executor.submit(popLikeServer(listener));
            try (Conversation client = Conversation.connect("127.0.0.1", listener.getLocalPort())) {
                client.expectLine("+OK ready").sendLine("QUIT").expectLine("+OK bye").expectClosed();
            }
            assertEquals("QUIT\r\n", server.get(10, TimeUnit.SECONDS));
        } finally {
            executor.shutdownNow();
        }
    }

    /** A server with a line of greeting, one command, one reply, then close; returns the command it got. */
    private static Callable<String> popLikeServer(ServerSocket listener) {
        return () -> {
            try (Socket socket = listener.accept()) {
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                out.write("+OK ready\r\n".getBytes(StandardCharsets.US_ASCII));
                InputStream in = socket.getInputStream();
                StringBuilder command = new StringBuilder();
                for (int b; !command.toString().endsWith("\r\n") && (b = in.read()) >= 0; ) command.append((char) b);
                out.write("+OK bye\r\n".getBytes(StandardCharsets.US_ASCII));
                return command.toString();
            }
        };
    }

    @Test
    void aTranscriptFileReplaysAgainstTheServer() throws URISyntaxException {
        try (Conversation client = Conversation.connect(echo)) {
            client.replay(transcript("echo.txt"));
        }
    }

    @Test
    void aFailingTranscriptStepNamesItsSourceAndLine() {
        try (Conversation client = Conversation.connect(echo)) {
            AssertionError e = assertThrows(AssertionError.class, () -> client.replay("""
                    > one\\r\\n
                    < one\\r\\n
                    > two\\r\\n
                    < three\\r\\n
                    """));
            assertTrue(e.getMessage().startsWith("transcript line 4 (< three\\r\\n) failed (step 4, talking to "
                    + "127.0.0.1:" + echo.port() + "): the bytes differ at index 1\n"), e.getMessage());
        }
    }

    @Test
    void theTranscriptOfAConversationReplaysAsTheSameConversation() {
        String transcript;
        try (Conversation client = Conversation.connect(echo)) {
            client.send("one\r\ntw").send("o\r\n").expectLine("one").expectLine("two").shutdownOutput().expectClosed();
            transcript = client.transcript();
        }
        assertTrue(transcript.startsWith("> one\\r\\ntw\n> o\\r\\n\n"), transcript);
        try (Conversation again = Conversation.connect(echo)) {
            again.replay(transcript);
        }
    }

    @Test
    void connectingToAPortWithNoServerFailsNamingTheAddress() throws IOException {
        int port;
        try (ServerSocket unused = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = unused.getLocalPort();
        }
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Conversation.connect(port));
        assertTrue(e.getMessage().startsWith("cannot connect to 127.0.0.1:" + port + ": "), e.getMessage());
    }

    @Test
    void nonsenseArgumentsAreRefusedWithTheirValues() {
        try (Conversation client = Conversation.connect(echo)) {
            assertEquals("timeout must be positive: PT0S",
                    assertThrows(IllegalArgumentException.class, () -> client.timeout(Duration.ZERO)).getMessage());
            assertEquals("count < 0: -1",
                    assertThrows(IllegalArgumentException.class, () -> client.readBytes(-1)).getMessage());
            assertEquals("empty line terminator",
                    assertThrows(IllegalArgumentException.class, () -> client.lineTerminator("")).getMessage());
        }
    }

    static Path transcript(String name) throws URISyntaxException {
        return Path.of(ConversationTest.class.getResource("/transcripts/" + name).toURI());
    }
}

package io.loomchat.examples;

import static io.loomchat.examples.Escape.escape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.loomchat.examples.guide.FileSender;
import io.loomchat.examples.guide.LineEcho;
import io.loomchat.examples.guide.Netstrings;
import io.loomchat.server.ChatServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The small servers the README and the concepts page quote, driven by nc (netcat-openbsd) and plain sockets. */
@Timeout(60)
class GuideExamplesTest {
    @TempDir
    Path dir;

    /** Runs nc with {@code input}; -N ends the connection's input at the end of nc's, so the server closes. */
    private static byte[] nc(ChatServer server, byte[] input) throws Exception {
        RealClient.requireOpenBsdNetcat();
        RealClient.Result result = RealClient.run(input, "nc", "-N", "127.0.0.1", Integer.toString(server.port()));
        assertEquals(0, result.exitCode(), result.stderr());
        return result.stdout();
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void lineEchoSendsEveryLineBackToNc() throws Exception {
        try (ChatServer server = Peer.server(LineEcho::new)) {
            assertEquals("hello\\nworld, caf\\xc3\\xa9\\n", escape(nc(server, "hello\nworld, caf\u00e9\n"
                    .getBytes(StandardCharsets.UTF_8))));
        }
    }

    @Test
    void lineEchoJoinsALineSplitAcrossWrites() throws Exception {
        try (ChatServer server = Peer.server(LineEcho::new); Peer peer = Peer.connect(server.port())) {
            peer.send("hel");
            peer.send("lo\r");
            peer.send("\nnext\n");
            peer.expectLine("hello\r\n");
            peer.expectLine("next\n");
        }
    }

    /** The concepts page's example: what it sends, and what it says comes back. */
    private static final String NETSTRINGS = "5:hello,12:world, 1:2:3,0:,";
    private static final String NETSTRINGS_ANSWER = "5:HELLO,12:WORLD, 1:2:3,0:,";

    @Test
    void netstringsAnswersEveryMessageOfOneWrite() throws Exception {
        try (ChatServer server = Peer.server(Netstrings::new)) {
            assertEquals(NETSTRINGS_ANSWER, escape(nc(server, ascii(NETSTRINGS))));
        }
    }

    @Test
    void netstringsAnswersTheSameMessagesSentOneByteAtATime() throws Exception {
        try (ChatServer server = Peer.server(Netstrings::new); Peer peer = Peer.connect(server.port())) {
            for (byte b : ascii(NETSTRINGS)) peer.send(new byte[] {b});
            assertEquals(NETSTRINGS_ANSWER, escape(peer.readExactly(NETSTRINGS.length())));
        }
    }

    @Test
    void netstringsClosesOnSomethingElse() throws Exception {
        try (ChatServer server = Peer.server(Netstrings::new); Peer peer = Peer.connect(server.port())) {
            peer.send("2:ok,x:no,");
            assertEquals("2:OK,", escape(peer.readExactly(5)));
            peer.expectClosed();
        }
        try (ChatServer server = Peer.server(Netstrings::new); Peer peer = Peer.connect(server.port())) {
            peer.send("2:abc,");
            peer.expectClosed(); // the byte after the count is not the comma
        }
    }

    @Test
    void fileSenderStreamsAFileToNc() throws Exception {
        byte[] content = new byte[300_000];
        new Random(7).nextBytes(content);
        Files.write(dir.resolve("big.bin"), content);
        try (ChatServer server = Peer.server(FileSender.serving(dir))) {
            byte[] received = nc(server, ascii("SEND big.bin\n"));
            byte[] header = ascii("OK 300000\n");
            assertEquals("OK 300000\\n", escape(Arrays.copyOf(received, Math.min(header.length, received.length))));
            assertArrayEquals(content, Arrays.copyOfRange(received, header.length, received.length));
        }
    }

    @Test
    void fileSenderRefusesNamesOutsideItsFolder() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("shared"));
        Files.writeString(dir.resolve("secret.txt"), "not for you");
        try (ChatServer server = Peer.server(FileSender.serving(folder))) {
            assertEquals("ERR no such file\\n", escape(nc(server, ascii("SEND ../secret.txt\n"))));
            assertEquals("ERR no such file\\n", escape(nc(server, ascii("GET secret.txt\n"))));
        }
    }
}

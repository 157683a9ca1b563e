package io.loomchat.examples;

import static io.loomchat.examples.Escape.escape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.ChatSession;
import io.loomchat.examples.echo.EchoClient;
import io.loomchat.examples.echo.EchoServer;
import io.loomchat.server.ChatServer;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The PyMOTW echo server, driven by nc (netcat-openbsd), and the echo client with its producer. */
@Timeout(60)
class EchoExampleTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private ChatServer server;

    @BeforeEach
    void start() throws Exception {
        server = Peer.server(EchoServer::new);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void ncGetsTheCountedBytesBackAndTheServerCloses() throws Exception {
        RealClient.requireOpenBsdNetcat();
        byte[] input = "ECHO 11\nhello world".getBytes(StandardCharsets.US_ASCII);
        // nc exits only when the server closes: it does not shut its side down at the end of its input.
        RealClient.Result result = RealClient.run(input, "nc", "127.0.0.1", Integer.toString(server.port()));
        assertEquals(0, result.exitCode(), result.stderr());
        assertEquals("hello world", escape(result.stdout()));
    }

    @Test
    void bytesAfterTheCountAreNotEchoed() throws Exception {
        RealClient.requireOpenBsdNetcat();
        byte[] input = "ECHO 5\nhello world\n".getBytes(StandardCharsets.US_ASCII);
        RealClient.Result result = RealClient.run(input, "nc", "127.0.0.1", Integer.toString(server.port()));
        assertEquals("hello", escape(result.stdout()));
    }

    @Test
    void messageSplitAcrossWritesIsEchoedWhole() throws Exception {
        try (Peer peer = Peer.connect(server.port())) {
            peer.send("EC");
            peer.send("HO 7\nab\r\n");
            peer.send("cd\n");
            assertEquals("ab\\r\\ncd\\n", escape(peer.readUntilClosed()));
        }
    }

    @Test
    void malformedCommandGetsAnErrorAndTheConnectionCloses() throws Exception {
        try (Peer peer = Peer.connect(server.port())) {
            peer.send("ECHO five\nhello");
            peer.expectLine("ERR expected ECHO <n> with n in 0.." + EchoServer.MAX_LENGTH + "\n");
            peer.expectClosed();
        }
    }

    @Test
    void zeroLengthEchoClosesAtOnce() throws Exception {
        try (Peer peer = Peer.connect(server.port())) {
            peer.send("ECHO 0\n");
            peer.expectClosed();
        }
    }

    @Test
    void echoClientRoundTripsAMessageLargerThanTheBuffers() throws Exception {
        byte[] message = new byte[300_000];
        new Random(42).nextBytes(message);
        byte[] echoed = EchoClient.echo("127.0.0.1", server.port(), message, TIMEOUT);
        assertArrayEquals(message, echoed);
    }

    @Test
    void echoClientRoundTripsAnEmptyMessage() throws Exception {
        assertEquals(0, EchoClient.echo("127.0.0.1", server.port(), new byte[0], TIMEOUT).length);
    }

    @Test
    void echoClientReportsAServerThatClosesEarly() throws Exception {
        // Reads the whole request ("ECHO 5\nhello", 12 bytes) first: closing with unread input would reset the
        // connection, and the client might lose "hel" to the reset rather than see a clean early close.
        try (ChatServer truncating = Peer.server(channel -> {
            channel.setTerminator(12);
            return new ChatSession() {
                @Override
                public void collectIncomingData(byte[] data) {
                }

                @Override
                public void foundTerminator() {
                    channel.push("hel");
                    channel.closeWhenDone();
                }
            };
        })) {
            byte[] message = "hello".getBytes(StandardCharsets.US_ASCII);
            EOFException e = assertThrows(EOFException.class,
                    () -> EchoClient.echo("127.0.0.1", truncating.port(), message, TIMEOUT));
            assertTrue(e.getMessage().contains("3 of 5 bytes"), e.getMessage());
        }
    }
}

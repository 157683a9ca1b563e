package io.loomchat.testkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.loomchat.server.ChatServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The echo protocol tested the way one would without the test kit: a socket, a read loop, escaping by hand.
 * Kept as the "before" of docs/testing.md; {@link EchoTest} is the "after". It cannot test a line split
 * across reads at all: on loopback, TCP hands the server both writes at once.
 */
class EchoWithoutTheKitTest {
    private static ChatServer server;

    @BeforeAll
    static void startServer() throws IOException {
        server = ChatServer.builder().bindAddress(InetAddress.getLoopbackAddress()).listen(Echo::new);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    @Timeout(10)
    void echoesEachLineThenClosesAfterTheClientDoes() throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write("hello\r\none\r\ntwo\r\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            assertEquals("hello\\r\\n", escape(readLine(in)));
            assertEquals("one\\r\\n", escape(readLine(in)));
            assertEquals("two\\r\\n", escape(readLine(in)));
            socket.shutdownOutput();
            assertEquals(-1, in.read());
        }
    }

    /** Reads up to and including {@code \n}, or to the end of the stream. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b >= 0; b = in.read()) {
            line.write(b);
            if (b == '\n') break;
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    private static String escape(String text) {
        return text.replace("\r", "\\r").replace("\n", "\\n");
    }
}

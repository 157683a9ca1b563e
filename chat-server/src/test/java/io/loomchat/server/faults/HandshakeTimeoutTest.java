package io.loomchat.server.faults;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.ChatOptions;
import io.loomchat.core.CloseReason;
import io.loomchat.server.CapturedLog;
import io.loomchat.server.ChatServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A TLS handshake has a deadline as a whole: a peer that trickles it cannot hold a connection slot. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HandshakeTimeoutTest {
    @TempDir
    static Path dir;
    private static SSLContext context;

    @BeforeAll
    static void makeCertificate() throws Exception {
        context = SelfSignedCertificate.create(dir).context();
    }

    /** A peer that sends a TLS record header and then a byte every 100 ms, and notes when the server closes. */
    static final class Trickler implements java.io.Closeable {
        final Socket socket = new Socket();
        final AtomicBoolean closedByServer = new AtomicBoolean();
        private final Thread writer;
        private final Thread reader;

        Trickler(int port) throws IOException {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            // A handshake record of 512 bytes, then a ClientHello of 508 whose body never comes faster than this.
            byte[] header = {0x16, 0x03, 0x01, 0x02, 0x00};
            byte[] hello = new byte[512];
            System.arraycopy(new byte[] {0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03}, 0, hello, 0, 6);
            writer = Thread.ofVirtual().start(() -> {
                try {
                    out.write(header);
                    for (int i = 0; i < hello.length && !closedByServer.get(); i++) {
                        out.write(hello[i]);
                        Thread.sleep(100);  // the trickle's pace, not a wait for a condition
                    }
                } catch (IOException | InterruptedException e) {
                    // closed: the reader says by whom
                }
            });
            reader = Thread.ofVirtual().start(() -> {
                try {
                    while (in.read() >= 0) {
                        // an alert, if any, then the end
                    }
                } catch (IOException e) {
                    // a reset is a close too
                }
                closedByServer.set(true);
            });
        }

        @Override
        public void close() throws IOException {
            socket.close();
            try {
                writer.join(Duration.ofSeconds(5));
                reader.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void aTricklingHandshakeIsClosedAtTheHandshakeTimeoutAndItsSlotFreed() throws Exception {
        ChatOptions options = ChatOptions.defaults().withHandshakeTimeout(Duration.ofMillis(800));
        ChatServer server = ChatServer.builder().port(0).sslContext(context).maxConnections(2).options(options)
                .listen(FaultProtocol::new);
        List<Trickler> tricklers = new ArrayList<>();
        try (CapturedLog log = CapturedLog.of("io.loomchat.core.internal.Connection")) {
            tricklers.add(new Trickler(server.port()));
            tricklers.add(new Trickler(server.port()));
            // Each sends a byte every 100 ms, far inside any read timeout: only a deadline on the whole ends them.
            await("both tricklers closed").atMost(Duration.ofSeconds(5))
                    .until(() -> tricklers.stream().allMatch(t -> t.closedByServer.get()));
            await().atMost(Duration.ofSeconds(5)).until(() -> server.connectionCount() == 0);
            assertEquals(2L, server.stats().closedByReason().get(CloseReason.HANDSHAKE_TIMEOUT));
            assertTrue(log.messages().stream().allMatch(m -> m.contains("the handshake took over")),
                    () -> "the log says why: " + log.messages());

            // The slots are free: a real client is served.
            try (SSLSocket client = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", server.port())) {
                client.setSoTimeout(5_000);
                client.startHandshake();
                client.getOutputStream().write("ECHO served\nQUIT\n".getBytes(StandardCharsets.UTF_8));
                assertEquals("served\nbye\n", new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        } finally {
            for (Trickler t : tricklers) t.close();
            server.close();
        }
    }
}

package io.loomchat.server.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.CloseReason;
import io.loomchat.server.ChatServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A graceful close keeps its word over TLS: the queued output is written, the session's goodbye follows it. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TlsShutdownTest {
    private static final int CLIENTS = 20;
    private static final int QUEUED = 1 << 20;

    @TempDir
    static Path dir;
    private static SSLContext context;

    @BeforeAll
    static void makeCertificate() throws Exception {
        context = SelfSignedCertificate.create(dir).context();
    }

    /** FaultProtocol, with a goodbye on shutdown. */
    static final class Polite extends FaultProtocol {
        Polite(ChatChannel channel) {
            super(channel);
        }

        @Override
        public void serverClosing(ChatChannel channel) {
            channel.push("goodbye\n");
        }
    }

    @Test
    void eachTlsClientGetsItsQueuedOutputThenTheGoodbyeThenCloseNotify() throws Exception {
        ChatServer server = ChatServer.builder().port(0).sslContext(context).drainTimeout(Duration.ofSeconds(20))
                .listen(Polite::new);
        List<SSLSocket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                SSLSocket client = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", server.port());
                client.setSoTimeout(20_000);
                client.startHandshake();
                // A reply of 1 MiB that the client does not read yet: most of it waits in the server's queue.
                client.getOutputStream().write(("BIG " + QUEUED + "\n").getBytes(StandardCharsets.US_ASCII));
                client.getOutputStream().flush();
                // Its first byte: the server finished its side of the handshake and the session is answering.
                assertEquals('x', client.getInputStream().read());
                clients.add(client);
            }
            CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close,
                    r -> Thread.ofVirtual().start(r));
            String expected = "x".repeat(QUEUED - 1) + "\ngoodbye\n";
            for (SSLSocket client : clients) {
                InputStream in = client.getInputStream();
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                in.transferTo(got);  // to the end: close_notify, not a reset
                String text = got.toString(StandardCharsets.US_ASCII);
                assertEquals(expected.length(), text.length(), "bytes received before the end");
                assertTrue(text.equals(expected), "the whole reply, then the goodbye");
            }
            closing.get(20, TimeUnit.SECONDS);
            assertEquals((long) CLIENTS, server.stats().closedByReason().get(CloseReason.SHUTDOWN));
            assertEquals(0, server.connectionCount());
        } finally {
            for (SSLSocket client : clients) client.close();
            server.close();
        }
    }
}

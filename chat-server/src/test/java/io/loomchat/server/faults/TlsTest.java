package io.loomchat.server.faults;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.ChatConnection;
import io.loomchat.core.ChatOptions;
import io.loomchat.core.ChatSession;
import io.loomchat.core.CloseReason;
import io.loomchat.server.CapturedLog;
import io.loomchat.server.ChatClient;
import io.loomchat.server.ChatServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The same session over TLS, with a self-signed certificate made here, and openssl s_client as a client. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TlsTest {
    @TempDir
    static Path dir;
    private static SSLContext context;
    private static Path certificate;

    @BeforeAll
    static void makeCertificate() throws Exception {
        SelfSignedCertificate made = SelfSignedCertificate.create(dir);
        context = made.context();
        certificate = made.pem();
    }

    private static ChatServer tlsServer() throws IOException {
        return ChatServer.builder().port(0).sslContext(context).listen(FaultProtocol::new);
    }

    /** Runs {@code openssl s_client} (verifying the certificate) with {@code input}; returns what it printed. */
    private static String opensslClient(int port, String input) throws Exception {
        Process openssl = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + port,
                "-CAfile", certificate.toString(), "-verify_return_error", "-quiet")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            openssl.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
            openssl.getOutputStream().flush();
            assertTrue(openssl.waitFor(20, TimeUnit.SECONDS), "openssl s_client ended when the server closed");
            return new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            openssl.destroyForcibly();
        }
    }

    @Test
    void opensslClientTalksToTheSessionOverTls() throws Exception {
        try (ChatServer server = tlsServer()) {
            assertEquals("over-tls\nbye\n", opensslClient(server.port(), "ECHO over-tls\nQUIT\n"));
        }
    }

    @Test
    void chatClientConnectsOverTlsAndChecksTheCertificate() throws Exception {
        try (ChatServer server = tlsServer()) {
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            ChatConnection connection = ChatClient.builder().sslContext(context).build()
                    .open("localhost", server.port(), channel -> {
                        channel.push("ECHO hello\nQUIT\n");
                        return new ChatSession() {
                            @Override
                            public void collectIncomingData(byte[] data) {
                                received.writeBytes(data);
                            }

                            @Override
                            public void foundTerminator() {
                            }
                        };
                    });
            assertTrue(connection.awaitClosed(Duration.ofSeconds(10)));
            assertEquals("hello\nbye\n", received.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void plainTextClientOnTheTlsPortIsClosedAndOthersAreServed() throws Exception {
        try (CapturedLog log = CapturedLog.of("io.loomchat.core.internal.Connection");
             ChatServer server = tlsServer()) {
            try (Peer plain = new Peer(server.port())) {
                plain.send("ECHO not-tls\n");
                plain.readToClose();
            }
            assertEquals("still-fine\nbye\n", opensslClient(server.port(), "ECHO still-fine\nQUIT\n"));
            // The failed handshake is the peer's doing: one INFO line, no warning, no stack trace.
            assertEquals(1, log.messages().size(), () -> "one message: " + log.messages());
            assertTrue(log.messages().get(0).contains("could not open the connection: javax.net.ssl.SSLException"),
                    log.messages().get(0));
            assertEquals(List.of(), log.warnings());
        }
    }

    @Test
    void deafTlsPeerIsClosedByTheWriteTimeoutWithoutStallingOtherTimeoutsOrShutdown() throws Exception {
        // A write blocked on a TLS peer holds the SSLSocket's write lock; closing must not wait for it.
        ChatOptions bigQueue = ChatOptions.defaults().withWatermarks(50 << 20, 100 << 20)
                .withWriteTimeout(Duration.ofMillis(800));
        ChatServer tls = ChatServer.builder().port(0).sslContext(context).options(bigQueue)
                .drainTimeout(Duration.ofMillis(500)).listen(FaultProtocol::new);
        try (CapturedLog limits = CapturedLog.of("io.loomchat.limits");
             ChatServer plain = ChatServer.builder().port(0)
                .options(ChatOptions.defaults().withIdleTimeout(Duration.ofMillis(1500))).listen(FaultProtocol::new);
             SSLSocket deaf = (SSLSocket) context.getSocketFactory().createSocket()) {
            deaf.setReceiveBufferSize(4096);
            deaf.connect(new InetSocketAddress("127.0.0.1", tls.port()), 5_000);
            deaf.setSoTimeout(5_000);
            deaf.startHandshake();
            deaf.getOutputStream().write("BIG 100000\n".repeat(300).getBytes(StandardCharsets.UTF_8));
            deaf.getOutputStream().flush();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> tls.stats().closedByReason().get(CloseReason.WRITE_TIMEOUT) == 1);
            // The watchdog still serves every other connection: a silent one elsewhere is closed on time.
            try (Peer silent = new Peer(plain.port())) {
                silent.readToClose();
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> plain.stats().closedByReason().get(CloseReason.IDLE_TIMEOUT) == 1);
            // Each broken limit is logged once, in the order they broke.
            assertEquals(2, limits.warnings().size(), () -> "two warnings: " + limits.warnings());
            assertTrue(limits.warnings().get(0).contains("writeTimeout (800) exceeded"), limits.warnings().get(0));
            assertTrue(limits.warnings().get(1).contains("idleTimeout (1500) exceeded"), limits.warnings().get(1));
        } finally {
            assertTimeoutPreemptively(Duration.ofSeconds(10), tls::close, "server close() returned");
        }
    }
}

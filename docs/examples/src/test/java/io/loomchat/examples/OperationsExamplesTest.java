package io.loomchat.examples;

import static io.loomchat.examples.Escape.escape;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.ChatConnection;
import io.loomchat.core.ChatOptions;
import io.loomchat.core.ChatSession;
import io.loomchat.examples.guide.LineEcho;
import io.loomchat.examples.guide.PoliteLines;
import io.loomchat.examples.guide.TlsContexts;
import io.loomchat.server.ChatClient;
import io.loomchat.server.ChatServer;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What the operations page quotes: a session that answers a broken limit, and TLS with openssl s_client. */
@Timeout(60)
class OperationsExamplesTest {
    private static final String LIMITS_LOG = "io.loomchat.limits";
    private static final char[] PASSWORD = "changeit".toCharArray();
    @TempDir
    Path dir;

    /** The operations page's promise: a broken limit is logged once, at WARN, however politely it is answered. */
    private static void assertLoggedOnce(CapturedLog log, String expected) {
        assertEquals(1, log.warnings().size(), () -> "one warning: " + log.warnings());
        assertTrue(log.warnings().get(0).contains(expected), log.warnings().get(0));
    }

    private static ChatServer polite(ChatOptions options) throws Exception {
        return ChatServer.builder().bindAddress(InetAddress.getLoopbackAddress()).options(options)
                .listen(PoliteLines::new);
    }

    @Test
    void aLineOverTheLimitIsAnsweredThenClosed() throws Exception {
        try (CapturedLog limits = CapturedLog.of(LIMITS_LOG);
             ChatServer server = polite(ChatOptions.defaults().withMaxMessageSize(16));
             Peer peer = Peer.connect(server.port())) {
            peer.send("short\r\n");
            peer.expectLine("short\r\n");
            peer.send("a line longer than sixteen bytes\r\n");
            peer.expectLine("-ERR maxMessageSize exceeded\r\n");
            peer.expectClosed();
            assertLoggedOnce(limits, "maxMessageSize (16) exceeded");
        }
    }

    @Test
    void anIdlePeerIsAnsweredThenClosed() throws Exception {
        try (CapturedLog limits = CapturedLog.of(LIMITS_LOG);
             ChatServer server = polite(ChatOptions.defaults().withIdleTimeout(Duration.ofMillis(300)));
             Peer peer = Peer.connect(server.port())) {
            peer.expectLine("-ERR idleTimeout exceeded\r\n");
            peer.expectClosed();
            assertLoggedOnce(limits, "idleTimeout (300) exceeded");
        }
    }

    /** Makes a self-signed certificate for 127.0.0.1 with the JDK's keytool, as the operations page says. */
    private Path keyStore() throws Exception {
        Path keyStore = dir.resolve("server.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        RealClient.runOk(keytool, "-genkeypair", "-alias", "server", "-keyalg", "EC", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keyStore.toString(), "-storepass", new String(PASSWORD));
        return keyStore;
    }

    @Test
    void opensslTalksToALineEchoOverTls() throws Exception {
        RealClient.require("openssl", "openssl");
        SSLContext tls = TlsContexts.server(keyStore(), PASSWORD);
        try (ChatServer server = ChatServer.builder().bindAddress(InetAddress.getLoopbackAddress()).sslContext(tls)
                .listen(LineEcho::new);
             RealClient openssl = RealClient.start("openssl", "s_client", "-connect", "127.0.0.1:" + server.port(),
                     "-quiet")) {
            openssl.send("hello over tls\n");
            openssl.expectLine("hello over tls\n");
        }
    }

    @Test
    void chatClientChecksTheSelfSignedCertificate() throws Exception {
        Path keyStore = keyStore();
        try (ChatServer server = ChatServer.builder().bindAddress(InetAddress.getLoopbackAddress())
                .sslContext(TlsContexts.server(keyStore, PASSWORD)).listen(LineEcho::new)) {
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            ChatConnection connection = ChatClient.builder().sslContext(TlsContexts.trusting(keyStore, PASSWORD))
                    .build().open("127.0.0.1", server.port(), channel -> {
                        channel.push("ping\n");
                        channel.setTerminator("\n");
                        return new ChatSession() {
                            @Override
                            public void collectIncomingData(byte[] data) {
                                received.writeBytes(data);
                            }

                            @Override
                            public void foundTerminator() {
                                channel.close();
                            }
                        };
                    });
            assertTrue(connection.awaitClosed(Duration.ofSeconds(10)), "the echo arrived and the client closed");
            assertEquals("ping", escape(received.toString(StandardCharsets.UTF_8)));
        }
    }
}

package io.loomchat.server.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.ChatConnection;
import io.loomchat.core.ChatSession;
import io.loomchat.server.ChatClient;
import io.loomchat.server.ChatServer;
import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The same session over TLS, with a self-signed certificate made here, and openssl s_client as a client. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TlsTest {
    private static final char[] PASSWORD = "changeit".toCharArray();
    @TempDir
    static Path dir;
    private static SSLContext context;
    private static Path certificate;

    @BeforeAll
    static void makeCertificate() throws Exception {
        Path keystore = dir.resolve("server.p12");
        certificate = dir.resolve("server.pem");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        run(keytool.toString(), "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", new String(PASSWORD));
        run(keytool.toString(), "-exportcert", "-rfc", "-alias", "server", "-keystore", keystore.toString(),
                "-storepass", new String(PASSWORD), "-file", certificate.toString());
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(keystore.toFile())) {
            store.load(in, PASSWORD);
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, PASSWORD);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "finished: " + List.of(command));
        assertEquals(0, process.exitValue(), output);
        return output;
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
        try (ChatServer server = tlsServer()) {
            try (Peer plain = new Peer(server.port())) {
                plain.send("ECHO not-tls\n");
                plain.readToClose();
            }
            assertEquals("still-fine\nbye\n", opensslClient(server.port(), "ECHO still-fine\nQUIT\n"));
        }
    }
}

package io.loomchat.server.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.ChatConnection;
import io.loomchat.core.ChatSession;
import io.loomchat.server.CapturedLog;
import io.loomchat.server.ChatClient;
import io.loomchat.server.ChatServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS options of the builders: client authentication, protocols and cipher suites on the server, SNI and
 * hostname verification on the client; tried with openssl s_client and ChatClient.
 */
@Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TlsOptionsTest {
    @TempDir
    static Path dir;
    /** Serves the self-signed certificate and trusts it: as a client, it presents that certificate. */
    private static SSLContext context;
    /** Trusts the certificate, presents none. */
    private static SSLContext trustOnly;
    private static Path certificate;
    /** The certificate's private key in PEM, for openssl s_client -key. */
    private static Path key;

    @BeforeAll
    static void makeCertificate() throws Exception {
        SelfSignedCertificate made = SelfSignedCertificate.create(dir);
        context = made.context();
        certificate = made.pem();
        key = dir.resolve("key.pem");
        Process export = new ProcessBuilder("openssl", "pkcs12", "-in", dir.resolve("server.p12").toString(),
                "-nocerts", "-nodes", "-passin", "pass:changeit", "-out", key.toString())
                .redirectErrorStream(true).start();
        String output = new String(export.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(export.waitFor(30, TimeUnit.SECONDS), "openssl pkcs12 finished");
        assertEquals(0, export.exitValue(), output);
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve("server.p12"))) {
            store.load(in, "changeit".toCharArray());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        trustOnly = SSLContext.getInstance("TLS");
        trustOnly.init(null, trust.getTrustManagers(), null);
    }

    private static ChatServer server(SSLParameters parameters) throws IOException {
        return ChatServer.builder().port(0).sslContext(context).sslParameters(parameters).listen(FaultProtocol::new);
    }

    /** Runs openssl s_client with {@code flags}, sends {@code input}; returns what it printed before it ended. */
    private static String openssl(int port, String input, String... flags) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port,
                "-CAfile", certificate.toString(), "-verify_return_error", "-quiet"));
        command.addAll(List.of(flags));
        Process openssl = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            openssl.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
            openssl.getOutputStream().flush();
            assertTrue(openssl.waitFor(20, TimeUnit.SECONDS), "openssl s_client ended when the server closed");
            return new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            openssl.destroyForcibly();
        }
    }

    /** Sends ECHO word and QUIT through {@code client}; returns what came back. */
    private static String echo(ChatClient client, String host, int port) throws Exception {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        ChatConnection connection = client.open(host, port, channel -> {
            channel.push("ECHO hello\nQUIT\n");
            return new ChatSession() {
                @Override
                public void collectIncomingData(byte[] data) {
                    received.writeBytes(data);  // on the connection thread; awaitClosed publishes it
                }

                @Override
                public void foundTerminator() {
                }
            };
        });
        assertTrue(connection.awaitClosed(Duration.ofSeconds(10)), "closed");
        return received.toString(StandardCharsets.UTF_8);
    }

    @Test
    void neededClientCertificateServesOpensslWithOneAndClosesOnOneWithout() throws Exception {
        SSLParameters need = new SSLParameters();
        need.setNeedClientAuth(true);
        try (CapturedLog log = CapturedLog.of("io.loomchat.core.internal.Connection");
             ChatServer server = server(need)) {
            assertEquals("with-cert\nbye\n", openssl(server.port(), "ECHO with-cert\nQUIT\n",
                    "-cert", certificate.toString(), "-key", key.toString()));
            assertEquals("", openssl(server.port(), "ECHO without\nQUIT\n"));
            // A Java client: with its certificate it is served, without one the server ends the handshake.
            assertEquals("hello\nbye\n", echo(ChatClient.builder().sslContext(context).build(), "localhost",
                    server.port()));
            assertEquals("", echo(ChatClient.builder().sslContext(trustOnly).build(), "localhost", server.port()));
            assertTrue(log.messages().stream().anyMatch(m -> m.contains("could not open the connection")
                    && m.contains("SSLHandshakeException")), log.messages().toString());
            assertTrue(log.warnings().isEmpty(), log.warnings().toString());
        }
    }

    @Test
    void wantedClientCertificateServesClientsWithAndWithout() throws Exception {
        SSLParameters want = new SSLParameters();
        want.setWantClientAuth(true);
        try (ChatServer server = server(want)) {
            assertEquals("with-cert\nbye\n", openssl(server.port(), "ECHO with-cert\nQUIT\n",
                    "-cert", certificate.toString(), "-key", key.toString()));
            assertEquals("without\nbye\n", openssl(server.port(), "ECHO without\nQUIT\n"));
            assertEquals("hello\nbye\n", echo(ChatClient.builder().sslContext(trustOnly).build(), "localhost",
                    server.port()));
        }
    }

    @Test
    void protocolsAndCipherSuitesOfTheServerAreTheOnlyOnesOffered() throws Exception {
        SSLParameters strict = new SSLParameters(new String[] {"TLS_AES_256_GCM_SHA384"}, new String[] {"TLSv1.3"});
        try (CapturedLog log = CapturedLog.of("io.loomchat.core.internal.Connection");
             ChatServer server = server(strict)) {
            assertEquals("ok\nbye\n", openssl(server.port(), "ECHO ok\nQUIT\n", "-tls1_3"));
            assertEquals("", openssl(server.port(), "ECHO old\nQUIT\n", "-tls1_2"));
            assertEquals("", openssl(server.port(), "ECHO weak\nQUIT\n", "-ciphersuites", "TLS_AES_128_GCM_SHA256"));
            SSLParameters tls12 = new SSLParameters(null, new String[] {"TLSv1.2"});
            ChatClient old = ChatClient.builder().sslContext(context).sslParameters(tls12).build();
            assertThrows(IOException.class, () -> old.open("localhost", server.port(), FaultProtocol::new));
            assertTrue(log.warnings().isEmpty(), log.warnings().toString());
        }
    }

    @Test
    void clientSendsTheServerNameOfItsParametersAndTheServerMatchesIt() throws Exception {
        SSLParameters matching = new SSLParameters();
        matching.setSNIMatchers(List.of(SNIHostName.createSNIMatcher("chat\\.example")));
        try (CapturedLog log = CapturedLog.of("io.loomchat.core.internal.Connection");
             ChatServer server = server(matching)) {
            // First, so that no session of the context can be resumed (a resumption does not match names again).
            SSLParameters other = new SSLParameters();
            other.setServerNames(List.of(new SNIHostName("other.example")));
            ChatClient wrongName = ChatClient.builder().sslContext(context).sslParameters(other).build();
            assertThrows(SSLHandshakeException.class,
                    () -> wrongName.open("localhost", server.port(), FaultProtocol::new));
            SSLParameters chat = new SSLParameters();
            chat.setServerNames(List.of(new SNIHostName("chat.example")));
            assertEquals("hello\nbye\n", echo(ChatClient.builder().sslContext(context).sslParameters(chat).build(),
                    "localhost", server.port()));
            assertEquals("sni\nbye\n", openssl(server.port(), "ECHO sni\nQUIT\n", "-servername", "chat.example"));
            assertTrue(log.warnings().isEmpty(), log.warnings().toString());
        }
    }

    @Test
    void hostnameVerificationRefusesACertificateThatDoesNotNameTheHostUnlessTurnedOff() throws Exception {
        // The certificate names localhost and 127.0.0.1; 127.0.0.2 is this machine too, under another name.
        try (CapturedLog log = CapturedLog.of("io.loomchat.core.internal.Connection");
             ChatServer server = ChatServer.builder().port(0).sslContext(context).listen(FaultProtocol::new)) {
            ChatClient verifying = ChatClient.builder().sslContext(context).build();
            SSLHandshakeException refused = assertThrows(SSLHandshakeException.class,
                    () -> verifying.open("127.0.0.2", server.port(), FaultProtocol::new));
            assertTrue(refused.getMessage().startsWith("TLS handshake with 127.0.0.2:" + server.port()),
                    refused.getMessage());
            assertEquals("hello\nbye\n", echo(ChatClient.builder().sslContext(context).hostnameVerification(false)
                    .build(), "127.0.0.2", server.port()));
            assertTrue(log.warnings().isEmpty(), log.warnings().toString());
        }
    }

    @Test
    void theBuilderKeepsACopyOfTheParameters() throws Exception {
        SSLParameters need = new SSLParameters();
        need.setNeedClientAuth(true);
        ChatServer.Builder builder = ChatServer.builder().port(0).sslContext(context).sslParameters(need);
        need.setNeedClientAuth(false);  // too late: the builder copied them
        try (CapturedLog log = CapturedLog.of("io.loomchat.core.internal.Connection");
             ChatServer server = builder.listen(FaultProtocol::new)) {
            assertEquals("", openssl(server.port(), "ECHO without\nQUIT\n"));
            assertTrue(log.warnings().isEmpty(), log.warnings().toString());
        }
    }
}

package io.loomchat.server.faults;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatConnection;
import io.loomchat.core.ChatLimitException;
import io.loomchat.core.ChatSession;
import io.loomchat.core.CloseReason;
import io.loomchat.server.CapturedLog;
import io.loomchat.server.ChatClient;
import io.loomchat.server.ChatServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ChatChannel.startTls} on a live connection: a line protocol whose {@code STARTTLS} answers {@code 220}
 * and switches, tried by a JDK client, by {@code ChatClient}, and by a client that pipelines a command behind it.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StartTlsTest {
    @TempDir
    static Path dir;
    private static SSLContext context;

    @BeforeAll
    static void makeCertificate() throws Exception {
        context = SelfSignedCertificate.create(dir).context();
    }

    /** Lines: {@code STARTTLS} answers {@code 220 go} and switches; {@code ECHO x} answers x; errors are kept. */
    static final class Upgrading implements ChatSession {
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        final List<String> lines = new CopyOnWriteArrayList<>();
        private final ChatChannel channel;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        Upgrading(ChatChannel channel) {
            this.channel = channel;
            channel.setTerminator("\r\n");
        }

        @Override
        public void collectIncomingData(byte[] data) {
            line.writeBytes(data);
        }

        @Override
        public void foundTerminator() {
            String command = line.toString(StandardCharsets.UTF_8);
            line.reset();
            lines.add(command);
            if (command.equals("STARTTLS")) {
                channel.push("220 go\r\n");
                channel.startTls(context);
            } else if (command.startsWith("ECHO ")) {
                channel.push(command.substring(5) + "\r\n");
            }
        }

        @Override
        public void handleError(ChatChannel failed, Throwable error) {
            errors.add(error);
            ChatSession.super.handleError(failed, error);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) throw new IOException("end of stream after \"" + line + "\"");
            line.write(b);
        }
        return line.toString(StandardCharsets.UTF_8).strip();
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(5_000);
        return socket;
    }

    @Test
    void jdkClientSwitchesToTlsAfterThe220AndIsServedOverIt() throws Exception {
        try (ChatServer server = ChatServer.builder().port(0).listen(Upgrading::new);
             Socket plain = connect(server.port())) {
            plain.getOutputStream().write("ECHO plain\r\nSTARTTLS\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("plain", readLine(plain.getInputStream()));
            assertEquals("220 go", readLine(plain.getInputStream()));
            SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, "localhost", server.port(), true);
            tls.setUseClientMode(true);
            tls.startHandshake();
            tls.getOutputStream().write("ECHO secret\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("secret", readLine(tls.getInputStream()));
            tls.close();
        }
    }

    @Test
    void aCommandPipelinedBehindStarttlsIsNeverDispatchedAndTheConnectionClosesWithTheTypedReason()
            throws Exception {
        CompletableFuture<Upgrading> session = new CompletableFuture<>();
        try (CapturedLog limits = CapturedLog.of("io.loomchat.limits");
             ChatServer server = ChatServer.builder().port(0).listen(channel -> {
                 Upgrading upgrading = new Upgrading(channel);
                 session.complete(upgrading);
                 return upgrading;
             });
             Peer peer = new Peer(server.port())) {
            // One write: the MAIL would otherwise be taken as if it had come over TLS (CVE-2011-0411).
            peer.send("STARTTLS\r\nECHO injected\r\n");
            String rest = new String(peer.readToClose(), StandardCharsets.US_ASCII);
            assertEquals("220 go\r\n", rest, "the 220, and nothing for the injected command");
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> server.stats().closedByReason().get(CloseReason.STARTTLS_INJECTION) == 1);
            Upgrading upgrading = session.get(5, TimeUnit.SECONDS);
            assertEquals(List.of("STARTTLS"), upgrading.lines, "dispatched");
            ChatLimitException error = assertInstanceOf(ChatLimitException.class, upgrading.errors.getFirst());
            assertEquals(CloseReason.STARTTLS_INJECTION, error.reason());
            assertEquals("startTls", error.limit());
            assertEquals(1, limits.warnings().size(), limits.warnings().toString());
            assertTrue(limits.warnings().getFirst().contains(
                    "startTls (0) exceeded by /127.0.0.1:" + peer.socket.getLocalPort()
                            + ": 15 bytes sent after the command that started TLS, before the handshake; not dispatched"),
                    limits.warnings().getFirst());
        }
    }

    @Test
    void chatClientSwitchesToTlsWhenTheServerSays220() throws Exception {
        try (ChatServer server = ChatServer.builder().port(0).listen(Upgrading::new)) {
            CompletableFuture<String> answer = new CompletableFuture<>();
            ChatConnection connection = ChatClient.builder().build().open("localhost", server.port(), channel -> {
                channel.setTerminator("\r\n");
                channel.push("STARTTLS\r\n");
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                return new ChatSession() {
                    @Override
                    public void collectIncomingData(byte[] data) {
                        line.writeBytes(data);
                    }

                    @Override
                    public void foundTerminator() {
                        String reply = line.toString(StandardCharsets.UTF_8);
                        line.reset();
                        if (reply.equals("220 go")) {
                            channel.startTls(context);
                            channel.push("ECHO over-tls\r\n");  // queued after the switch: written over TLS
                        } else {
                            answer.complete(reply);
                            channel.close();
                        }
                    }
                };
            });
            assertEquals("over-tls", answer.get(10, TimeUnit.SECONDS));
            assertTrue(connection.awaitClosed(Duration.ofSeconds(5)));
        }
    }

    @Test
    void startTlsIsRefusedOutsideTheCallbacksAndOnATlsConnection() throws Exception {
        CompletableFuture<ChatChannel> channel = new CompletableFuture<>();
        try (ChatServer server = ChatServer.builder().port(0).listen(c -> {
                channel.complete(c);
                return new Upgrading(c);
            });
             Peer peer = new Peer(server.port())) {
            IllegalStateException outside = assertThrows(IllegalStateException.class,
                    () -> channel.get(5, TimeUnit.SECONDS).startTls(context));
            assertTrue(outside.getMessage().startsWith("startTls() outside the session's callbacks"),
                    outside.getMessage());
            peer.send("ECHO still-plain\r\n");
            assertEquals("still-plain\r", peer.readLine());
        }
        CompletableFuture<Throwable> refused = new CompletableFuture<>();
        try (CapturedLog session = CapturedLog.of("io.loomchat.session");
             ChatServer server = ChatServer.builder().port(0).sslContext(context).listen(c -> {
                 c.setTerminator("\r\n");
                 return new ChatSession() {
                     @Override
                     public void collectIncomingData(byte[] data) {
                     }

                     @Override
                     public void foundTerminator() {
                         c.startTls(context);
                     }

                     @Override
                     public void handleError(ChatChannel failed, Throwable error) {
                         refused.complete(error);
                         c.close();
                     }
                 };
             });
             SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket("localhost", server.port())) {
            tls.setSoTimeout(5_000);
            tls.getOutputStream().write("STARTTLS\r\n".getBytes(StandardCharsets.US_ASCII));
            Throwable error = refused.get(10, TimeUnit.SECONDS);
            assertEquals("startTls(): the connection is TLS already", error.getMessage());
            assertTrue(session.warnings().isEmpty(), session.warnings().toString());
        }
    }
}

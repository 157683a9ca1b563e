package io.loomchat.examples;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatConnection;
import io.loomchat.core.ChatSession;
import io.loomchat.core.CloseReason;
import io.loomchat.examples.smtp.SmtpSink;
import io.loomchat.server.ChatClient;
import io.loomchat.server.ChatServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SMTP sink's STARTTLS (RFC 3207) with swaks --tls, Python's smtplib.starttls(), a JDK socket and ChatClient;
 * and the command injection that STARTTLS invites (CVE-2011-0411), which closes the connection unanswered.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SmtpStartTlsTest {
    private static SelfSignedTls tls;
    private static Path caFile;
    private final List<SmtpSink.Envelope> envelopes = new CopyOnWriteArrayList<>();

    @TempDir
    static Path dir;

    @BeforeAll
    static void makeCertificate() throws IOException {
        tls = SelfSignedTls.create();
        caFile = Files.writeString(dir.resolve("ca.pem"), tls.pem());
    }

    private ChatServer sink(boolean required) throws IOException {
        SmtpSink sink = new SmtpSink("sink.test", (envelope, data) -> envelopes.add(envelope), 100_000);
        return Peer.server(required ? sink.requiringStartTls(tls.context()) : sink.offeringStartTls(tls.context()));
    }

    @Test
    void smtplibSaysStarttlsChecksTheCertificateAndDeliversOverTls() throws Exception {
        RealClient.require("python3", "python3");
        try (ChatServer server = sink(true)) {
            Path message = Files.writeString(dir.resolve("message.eml"), "Subject: secret\r\n\r\nover TLS\r\n");
            Path script = Path.of(SmtpStartTlsTest.class.getResource("/smtp_send.py").toURI());
            RealClient.Result result = RealClient.runOk("python3", script.toString(), "127.0.0.1",
                    Integer.toString(server.port()), "me@example.com", "you@example.com", message.toString(),
                    caFile.toString());
            assertEquals("refused: {}\n", result.out(), result.stderr());
            assertEquals(1, envelopes.size());
            assertTrue(envelopes.getFirst().tls(), "delivered over TLS");
        }
    }

    @Test
    void swaksTlsSwitchesAfterThe220AndDeliversOverTls() throws Exception {
        RealClient.require("swaks", "swaks");
        try (ChatServer server = sink(false)) {
            String out = RealClient.runOk("swaks", "--server", "127.0.0.1:" + server.port(), "--tls",
                    "--from", "a@example.com", "--to", "b@example.com", "--timeout", "10").out();
            assertTrue(out.contains("<-  250-STARTTLS"), out);
            assertTrue(out.contains("<-  220 Ready to start TLS"), out);
            assertTrue(out.contains("=== TLS started"), out);
            // swaks marks the lines it sent and read over TLS with ~> and <~.
            assertTrue(out.contains("<~  250 OK: message accepted"), out);
            assertEquals(1, envelopes.size());
            assertTrue(envelopes.getFirst().tls(), "delivered over TLS");
        }
    }

    @Test
    void mailBeforeStarttlsIsRefusedWhenTlsIsRequiredAndAcceptedAfterIt() throws Exception {
        try (ChatServer server = sink(true); Peer plain = Peer.connect(server.port())) {
            plain.expectLine("220 sink.test ESMTP loomchat SMTP sink ready\r\n");
            plain.send("EHLO client.test\r\n");
            assertEquals(List.of("250-sink.test", "250-SIZE 100000", "250-8BITMIME", "250-STARTTLS",
                    "250 PIPELINING"), ehloReply(plain));
            exchange(plain, "MAIL FROM:<a@example.com>", "530 Must issue a STARTTLS command first");
            exchange(plain, "STARTTLS", "220 Ready to start TLS");
            SSLSocket socket = (SSLSocket) tls.context().getSocketFactory()
                    .createSocket(plain.socket(), "localhost", server.port(), true);
            socket.setUseClientMode(true);
            socket.startHandshake();
            try (Peer secure = Peer.on(socket)) {
                // RFC 3207: the server forgot the first EHLO, and no longer offers STARTTLS.
                exchange(secure, "MAIL FROM:<a@example.com>", "503 Error: send HELO first");
                secure.send("EHLO client.test\r\n");
                assertEquals(List.of("250-sink.test", "250-SIZE 100000", "250-8BITMIME", "250 PIPELINING"),
                        ehloReply(secure));
                exchange(secure, "STARTTLS", "503 Error: TLS already active");
                exchange(secure, "MAIL FROM:<a@example.com>", "250 OK");
            }
        }
    }

    @Test
    void mailPipelinedBehindStarttlsIsNeverAnsweredAndTheConnectionCloses() throws Exception {
        try (CapturedLog limits = CapturedLog.of("io.loomchat.limits");
             ChatServer server = sink(false); Peer peer = Peer.connect(server.port())) {
            peer.readLine();
            peer.send("EHLO client.test\r\n");
            ehloReply(peer);
            // One write: a MAIL that came in plain text must not be taken as if it had come over TLS.
            peer.send("STARTTLS\r\nMAIL FROM:<x>\r\n");
            peer.expectLine("220 Ready to start TLS\r\n");
            peer.expectClosed();
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> server.stats().closedByReason().get(CloseReason.STARTTLS_INJECTION) == 1);
            assertEquals(1, limits.warnings().size(), limits.warnings().toString());
            assertTrue(limits.warnings().getFirst().contains("startTls (0) exceeded by ")
                    && limits.warnings().getFirst().endsWith(": 15 bytes sent after the command that started TLS,"
                    + " before the handshake; not dispatched"), limits.warnings().getFirst());
        }
    }

    @Test
    void chatClientUpgradesItsConnectionToTheSinkAndDelivers() throws Exception {
        try (ChatServer server = sink(true)) {
            Queue<String> script = new ArrayDeque<>(List.of("EHLO client.test", "STARTTLS", "EHLO client.test",
                    "MAIL FROM:<a@example.com>", "RCPT TO:<b@example.com>", "DATA", "Subject: hi\r\n\r\nhello\r\n.",
                    "QUIT"));
            List<String> replies = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> done = new CompletableFuture<>();
            ChatConnection connection = ChatClient.builder().build().open("localhost", server.port(),
                    channel -> new ScriptedSmtpClient(channel, script, replies, done));
            done.get(20, TimeUnit.SECONDS);
            assertTrue(connection.awaitClosed(Duration.ofSeconds(10)));
            assertEquals(List.of("220", "250", "220", "250", "250", "250", "354", "250", "221"),
                    replies.stream().map(r -> r.substring(0, 3)).toList(), replies.toString());
            assertEquals(1, envelopes.size());
            assertTrue(envelopes.getFirst().tls(), "delivered over TLS");
        }
    }

    /**
     * Sends the next command of its script after each complete reply (a multiline one ends at "250 "), and
     * switches to TLS when STARTTLS is answered 220.
     */
    private static final class ScriptedSmtpClient implements ChatSession {
        private final ChatChannel channel;
        private final Queue<String> script;
        private final List<String> replies;
        private final CompletableFuture<Void> done;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private String sent = "";

        ScriptedSmtpClient(ChatChannel channel, Queue<String> script, List<String> replies,
                           CompletableFuture<Void> done) {
            this.channel = channel;
            this.script = script;
            this.replies = replies;
            this.done = done;
            channel.setTerminator("\r\n");
        }

        @Override
        public void collectIncomingData(byte[] data) {
            line.writeBytes(data);
        }

        @Override
        public void foundTerminator() {
            String reply = line.toString(StandardCharsets.US_ASCII);
            line.reset();
            if (reply.charAt(3) == '-') return;  // a multiline reply goes on
            replies.add(reply);
            if (sent.equals("STARTTLS") && reply.startsWith("220")) channel.startTls(tls.context());
            if (script.isEmpty()) {
                done.complete(null);
                return;
            }
            sent = script.poll();
            channel.push(sent + "\r\n");
        }

        @Override
        public void handleError(ChatChannel failed, Throwable error) {
            done.completeExceptionally(error);
            failed.close();
        }
    }

    /** Reads a multiline EHLO reply, each line without its CRLF. */
    private static List<String> ehloReply(Peer peer) throws IOException {
        List<String> lines = new ArrayList<>();
        String line;
        do {
            line = peer.readLine();
            lines.add(line.strip());
        } while (line.charAt(3) == '-');
        return lines;
    }

    private static void exchange(Peer peer, String command, String reply) throws IOException {
        peer.send(command + "\r\n");
        peer.expectLine(reply + "\r\n");
    }
}

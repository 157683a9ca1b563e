package io.loomchat.examples;

import static io.loomchat.examples.Escape.escape;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.examples.smtp.SmtpSink;
import io.loomchat.server.ChatServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The SMTP sink, with Python's smtplib and swaks, and plain sockets for the reply codes. */
@Timeout(60)
class SmtpSinkTest {
    private static final int MAX_MESSAGE = 100_000;
    private final List<SmtpSink.Envelope> envelopes = new CopyOnWriteArrayList<>();
    private ChatServer server;
    private String port;

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws Exception {
        SmtpSink.MessageHandler folder = SmtpSink.folder(dir.resolve("mail"));
        server = Peer.server(new SmtpSink("sink.test", (envelope, data) -> {
            envelopes.add(envelope);
            folder.deliver(envelope, data);
        }, MAX_MESSAGE));
        port = Integer.toString(server.port());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void smtplibDeliversAMultiRecipientMessageWithDotLinesByteForByte() throws Exception {
        RealClient.require("python3", "python3");
        byte[] message = ("From: me@example.com\r\nTo: you@example.com, them@example.com\r\nSubject: dots\r\n\r\n"
                + ".leading dot\r\n..two dots\r\n.\r\nthe line above was a lone dot\r\ncaf\u00e9 in UTF-8\r\n")
                .getBytes(StandardCharsets.UTF_8);
        Path file = Files.write(dir.resolve("message.eml"), message);
        Path script = Path.of(SmtpSinkTest.class.getResource("/smtp_send.py").toURI());
        RealClient.Result result = RealClient.runOk("python3", script.toString(), "127.0.0.1", port,
                "me@example.com", "you@example.com,them@example.com", file.toString());
        assertEquals("refused: {}\n", result.out(), result.stderr());
        assertEquals(escape(message), escape(Files.readAllBytes(storedMessage())));
        SmtpSink.Envelope envelope = envelopes.get(0);
        assertEquals("me@example.com", envelope.mailFrom());
        assertEquals(List.of("you@example.com", "them@example.com"), envelope.recipients());
    }

    @Test
    void swaksDeliversAMessage() throws Exception {
        String out = swaks();
        assertTrue(out.contains("<-  250 OK: message accepted"), out);
        assertTrue(out.contains("<-  221 Bye"), out);
        String stored = Files.readString(storedMessage(), StandardCharsets.ISO_8859_1);
        assertTrue(stored.contains("\r\nSubject: via swaks\r\n"), escape(stored));
        // swaks stuffs the dot (..dotted) and the sink takes it out again.
        assertTrue(stored.contains("\r\n\r\nfirst line\r\n.dotted line\r\n"), escape(stored));
        assertEquals(List.of("b@example.com", "c@example.com"), envelopes.get(0).recipients());
    }

    @Test
    void swaksPipelinesItsCommands() throws Exception {
        String out = swaks("--pipeline");
        assertTrue(out.contains("<-  250 OK: message accepted"), out);
        assertEquals(1, envelopes.size());
    }

    @Test
    void commandsOutOfOrderGetTheRightCodes() throws Exception {
        try (Peer peer = Peer.connect(server.port())) {
            peer.expectLine("220 sink.test ESMTP loomchat SMTP sink ready\r\n");
            exchange(peer, "MAIL FROM:<a@example.com>", "503 Error: send HELO first");
            exchange(peer, "HELO", "501 Syntax: HELO hostname");
            exchange(peer, "HELO client.test", "250 sink.test");
            exchange(peer, "RCPT TO:<b@example.com>", "503 Error: need MAIL command");
            exchange(peer, "DATA", "503 Error: need RCPT command");
            exchange(peer, "MAIL FROM:a@example.com", "501 Syntax: MAIL FROM:<address>");
            exchange(peer, "mail from: <a@example.com>", "250 OK");
            exchange(peer, "MAIL FROM:<a@example.com>", "503 Error: nested MAIL command");
            exchange(peer, "RCPT TO:<>", "501 Syntax: RCPT TO:<address>");
            exchange(peer, "RCPT TO:<b@example.com>", "250 OK");
            exchange(peer, "RSET", "250 OK");
            exchange(peer, "DATA", "503 Error: need RCPT command");
            exchange(peer, "NOOP", "250 OK");
            exchange(peer, "VRFY b", "252 Cannot VRFY user, but will accept message and attempt delivery");
            exchange(peer, "FLY", "500 Error: command \"FLY\" not recognized");
            exchange(peer, "X".repeat(600), "500 Error: line too long");
            exchange(peer, "QUIT", "221 Bye");
            peer.expectClosed();
        }
    }

    @Test
    void ehloAdvertisesSizeAndPipelining() throws Exception {
        try (Peer peer = Peer.connect(server.port())) {
            peer.readLine();
            exchange(peer, "EHLO client.test", "250-sink.test");
            peer.expectLine("250-SIZE " + MAX_MESSAGE + "\r\n");
            peer.expectLine("250-8BITMIME\r\n");
            peer.expectLine("250 PIPELINING\r\n");
            exchange(peer, "MAIL FROM:<a@example.com> SIZE=" + (MAX_MESSAGE + 1),
                    "552 Error: message size exceeds fixed maximum message size");
        }
    }

    @Test
    void emptyMessageEndsWithALoneDot() throws Exception {
        try (Peer peer = Peer.connect(server.port())) {
            startData(peer);
            exchange(peer, ".", "250 OK: message accepted");
            assertEquals(0, Files.size(storedMessage()));
        }
    }

    @Test
    void messageOverTheLimitIsRefusedAndTheNextOneAccepted() throws Exception {
        try (Peer peer = Peer.connect(server.port())) {
            startData(peer);
            String line = "y".repeat(998) + "\r\n";
            peer.send(line.repeat(MAX_MESSAGE / line.length() + 1));
            exchange(peer, ".", "552 Error: message exceeds the maximum size of " + MAX_MESSAGE + " bytes");
            exchange(peer, "MAIL FROM:<a@example.com>", "250 OK");
            exchange(peer, "RCPT TO:<b@example.com>", "250 OK");
            exchange(peer, "DATA", "354 End data with <CR><LF>.<CR><LF>");
            peer.send("Subject: small\r\n\r\nfits\r\n");
            exchange(peer, ".", "250 OK: message accepted");
            assertEquals("Subject: small\\r\\n\\r\\nfits\\r\\n", escape(Files.readAllBytes(storedMessage())));
        }
    }

    @Test
    void handlerFailureGets451() throws Exception {
        try (CapturedLog log = CapturedLog.of(SmtpSink.class.getName());
             ChatServer failing = Peer.server(new SmtpSink("sink.test", (envelope, data) -> {
                 throw new IOException("disk full");
             }, MAX_MESSAGE)); Peer peer = Peer.connect(failing.port())) {
            startData(peer);
            exchange(peer, "hello\r\n.", "451 Error: local error in processing; try again later");
            assertEquals(List.of("could not deliver a message from <a@example.com>: java.io.IOException: disk full"),
                    log.warnings());
        }
    }

    private String swaks(String... extra) throws Exception {
        RealClient.require("swaks", "swaks");
        List<String> command = new java.util.ArrayList<>(List.of("swaks", "--server", "127.0.0.1:" + port,
                "--from", "a@example.com", "--to", "b@example.com,c@example.com", "--timeout", "10",
                "--header", "Subject: via swaks", "--body", "first line\n.dotted line\n"));
        command.addAll(List.of(extra));
        return RealClient.runOk(command.toArray(String[]::new)).out();
    }

    /** Sends HELO, MAIL, RCPT and DATA, skipping the greeting. */
    private static void startData(Peer peer) throws IOException {
        peer.readLine();
        exchange(peer, "HELO client.test", "250 sink.test");
        exchange(peer, "MAIL FROM:<a@example.com>", "250 OK");
        exchange(peer, "RCPT TO:<b@example.com>", "250 OK");
        exchange(peer, "DATA", "354 End data with <CR><LF>.<CR><LF>");
    }

    private static void exchange(Peer peer, String command, String reply) throws IOException {
        peer.send(command + "\r\n");
        peer.expectLine(reply + "\r\n");
    }

    /** Returns the one .eml file in the mail folder. */
    private Path storedMessage() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("mail"))) {
            List<Path> stored = files.toList();
            assertEquals(1, stored.size(), "files in the mail folder: " + stored);
            assertTrue(stored.get(0).toString().endsWith(".eml"), stored.toString());
            return stored.get(0);
        }
    }
}

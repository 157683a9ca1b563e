package io.loomchat.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.ChatOptions;
import io.loomchat.core.SessionFactory;
import io.loomchat.examples.http.HttpServer;
import io.loomchat.examples.pg.PgServer;
import io.loomchat.examples.resp.RespServer;
import io.loomchat.examples.smtp.SmtpSink;
import io.loomchat.server.ChatServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random bytes, and valid requests truncated or garbled, sent to each example protocol: each answers with its
 * protocol's error or closes; never a stack trace to the client, never a dead server.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GarbageInputTest {
    /** Seeded, so a failure can be replayed; the seed and case are in every failure message. */
    private static final long SEED = 20261122;
    private static final int RANDOM_CASES = 60;

    @TempDir
    Path dir;

    @Test
    void httpAnswersGarbageWithAnErrorOrACloseAndServesOn() throws Exception {
        assertSurvives(new HttpServer(), List.of(
                "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
                "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"),
                reply -> reply.startsWith("HTTP/1.1 200"),
                "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    }

    @Test
    void respAnswersGarbageWithAnErrorOrACloseAndServesOn() throws Exception {
        assertSurvives(new RespServer(), List.of(
                "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\n",
                "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n",
                "PING\r\n"),
                reply -> reply.equals("+PONG\r\n"),
                "PING\r\n");
    }

    @Test
    void smtpAnswersGarbageWithAnErrorOrACloseAndServesOn() throws Exception {
        SmtpSink sink = new SmtpSink("sink.test", SmtpSink.folder(dir), 1 << 20);
        assertSurvives(sink, List.of(
                "HELO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nhi\r\n.\r\n",
                "EHLO x\r\nRSET\r\nNOOP\r\n"),
                reply -> reply.startsWith("220 ") && reply.contains("\r\n221 "),
                "QUIT\r\n");
    }

    @Test
    void postgresAnswersGarbageWithAnErrorOrACloseAndServesOn() throws Exception {
        String startup = latin1(PgWire.concat(PgWire.sslRequest(), PgWire.startup("tester")));
        try (CapturedLog log = CapturedLog.of("io.loomchat.limits")) {
            postgresSurvives(startup);
            // Frames too long or with a length under 4 are refused by the terminator, each logged once.
            assertFalse(log.warnings().isEmpty());
            for (String warning : log.warnings()) {
                assertTrue(warning.matches(".*: closing: (maxFrameSize \\(\\d+\\) exceeded|badLength broken) .*"),
                        warning);
            }
        }
    }

    private void postgresSurvives(String startup) throws Exception {
        assertSurvives(new PgServer(), List.of(
                startup + latin1(PgWire.query("SELECT 1")),
                startup + latin1(PgWire.query("CREATE TABLE t (k text, v text); INSERT INTO t VALUES ('a', 'b')"))),
                reply -> reply.startsWith("N") && reply.contains("SELECT 1\0Z\0\0\0\5I"),
                startup + latin1(PgWire.query("SELECT 1")) + "X\0\0\0\4");
    }

    private static String latin1(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /**
     * Sends each case on a connection of its own, half-closes, and reads what comes back until the server
     * closes; then checks that a well-behaved client is still served.
     */
    private void assertSurvives(SessionFactory factory, List<String> valid, Function<String, Boolean> healthy,
                                String probe) throws Exception {
        List<byte[]> cases = cases(valid);
        try (ChatServer server = ChatServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0)
                .options(ChatOptions.defaults().withIdleTimeout(Duration.ofSeconds(2)))
                .listen(factory)) {
            for (int i = 0; i < cases.size(); i++) {
                String reply = exchange(server.port(), cases.get(i));
                String what = "case " + i + " (seed " + SEED + "): " + Escape.escape(cases.get(i));
                assertFalse(reply.contains("Exception") || reply.contains("\tat ") || reply.contains("io.loomchat"),
                        "a stack trace or class name went to the client for " + what + ": " + reply);
            }
            String reply = exchange(server.port(), probe.getBytes(StandardCharsets.ISO_8859_1));
            assertTrue(healthy.apply(reply), "still serving after the garbage: " + Escape.escape(reply.getBytes(
                    StandardCharsets.ISO_8859_1)));
            assertEquals(cases.size() + 1, server.stats().accepted());
        }
    }

    /** Random bytes, random printable lines, and each valid request cut short and with one byte changed. */
    private static List<byte[]> cases(List<String> valid) {
        Random random = new Random(SEED);
        List<byte[]> cases = new ArrayList<>();
        for (int i = 0; i < RANDOM_CASES; i++) {
            byte[] bytes = new byte[1 + random.nextInt(i % 10 == 0 ? 70_000 : 300)];
            if (i % 2 == 0) {
                random.nextBytes(bytes);
            } else {
                for (int j = 0; j < bytes.length; j++) bytes[j] = (byte) "*$:+-\r\n 0123456789ABCDEFGHIJ".charAt(random.nextInt(28));
            }
            cases.add(bytes);
        }
        for (String request : valid) {
            byte[] bytes = request.getBytes(StandardCharsets.ISO_8859_1);
            for (int cut = 1; cut < bytes.length; cut += 1 + bytes.length / 12) {
                cases.add(java.util.Arrays.copyOf(bytes, cut));
                byte[] garbled = bytes.clone();
                garbled[cut] = (byte) random.nextInt(256);
                cases.add(garbled);
            }
        }
        return cases;
    }

    /** Sends {@code request}, half-closes, and returns everything the server sent until it closed. */
    private static String exchange(int port, byte[] request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            socket.setSoTimeout(10_000);
            try {
                socket.getOutputStream().write(request);
                socket.shutdownOutput();
            } catch (IOException closedEarly) {
                // the server may close before it has read everything: that is an answer too
            }
            ByteArrayOutputStream reply = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) reply.write(buffer, 0, n);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the server neither answered nor closed within 10 s", e);
            } catch (IOException reset) {
                // a reset after an error reply is a close too
            }
            return reply.toString(StandardCharsets.ISO_8859_1);
        }
    }
}

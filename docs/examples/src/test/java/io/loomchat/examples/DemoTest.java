package io.loomchat.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./demo} script itself: it must become the JVM, serve what its banner says, and stop cleanly on
 * SIGTERM. The build has just compiled the classes, so the script is told not to build (a nested Maven run here
 * would race this one).
 */
@Timeout(90)
class DemoTest {
    private static final Path DEMO = Path.of("../../demo").toAbsolutePath().normalize();
    private static final Map<String, String> NO_BUILD = Map.of("LOOMCHAT_DEMO_NO_BUILD", "1");

    @TempDir
    Path dir;

    @Test
    void oneExampleServesOnItsPortFromEveryLoopbackSourceAndStopsOnSigterm() throws Exception {
        RealClient.require("redis-cli", "redis-tools");
        try (RealClient demo = RealClient.start(NO_BUILD, DEMO.toString(), "resp", "--port", "0")) {
            int port = bannerPort(demo, "resp");
            // exec: the process started is the JVM itself, the one a harness signals and measures.
            Optional<String> command = ProcessHandle.of(demo.pid()).flatMap(p -> p.info().command());
            assertTrue(command.orElse("").endsWith("/bin/java"), "the demo's process is " + command);

            assertEquals("PONG\n", RealClient.runOk("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port),
                    "PING").out());
            for (int last = 2; last <= 9; last++) {
                InetAddress from = InetAddress.getByName("127.0.0." + last);
                try (Peer peer = Peer.connect(from, InetAddress.getLoopbackAddress(), port)) {
                    peer.send("PING\r\n");
                    peer.expectLine("+PONG\r\n");
                }
            }
            demo.awaitLineContaining("INFO  [resp] /127.0.0.9:"); // each connection is logged

            try (Peer open = Peer.connect(port)) {
                demo.terminate();
                open.expectClosed(); // the graceful close reaches open connections
                assertEquals(143, demo.awaitExit(), "exit code after SIGTERM");
            }
            demo.awaitLineContaining("INFO  [AcceptLoop] closed /127.0.0.1:" + port);
            // The demo says what the close did: the one open connection drained in time.
            demo.awaitLineContaining("closed ChatServer[/127.0.0.1:" + port + "]: 1 open: 1 drained in time, 0 aborted");
            demo.awaitLineStartingWith("loomchat demo stopped");
        }
    }

    @Test
    void theHttpExampleServesTheServersFiguresToCurlInPrometheusFormat() throws Exception {
        RealClient.require("curl", "curl");
        try (RealClient demo = RealClient.start(NO_BUILD, DEMO.toString(), "http", "--port", "0")) {
            String base = "http://127.0.0.1:" + bannerPort(demo, "http");
            assertTrue(RealClient.runOk("curl", "-sS", "--max-time", "10", base + "/").out().contains("loomchat"));

            String page = RealClient.runOk("curl", "-sS", "--max-time", "10", base + "/metrics").out();
            // The first curl's connection has been accepted and closed by the time the second is answered.
            Matcher accepted = Pattern.compile("(?m)^loomchat_connections_accepted_total\\{example=\"http\",?\\} "
                    + "([0-9.E]+)$").matcher(page);
            assertTrue(accepted.find(), "no accepted counter in:\n" + page);
            assertTrue(Double.parseDouble(accepted.group(1)) >= 2, accepted.group());
            assertTrue(page.contains("# TYPE loomchat_bytes_in_bytes_total counter"), page);
            assertTrue(page.contains("loomchat_output_queued_bytes{example=\"http\""), page);
            demo.terminate();
            assertEquals(143, demo.awaitExit(), "exit code after SIGTERM");
        }
    }

    @Test
    void thePostgresExampleAnswersPsql() throws Exception {
        RealClient.require("psql", "postgresql-client");
        try (RealClient demo = RealClient.start(NO_BUILD, DEMO.toString(), "pg", "--port", "0")) {
            String port = Integer.toString(bannerPort(demo, "pg"));
            RealClient.Result result = RealClient.runOk("env", "PGCONNECT_TIMEOUT=5", "psql", "-X", "-A", "-t",
                    "-h", "127.0.0.1", "-p", port, "-U", "demo", "-c", "SELECT 'hello from loomchat'");
            assertEquals("hello from loomchat\n", result.out());
            demo.terminate();
            assertEquals(143, demo.awaitExit(), "exit code after SIGTERM");
        }
    }

    @Test
    void oneExampleListensOnAUnixSocketAndRemovesItsFileOnSigterm(@TempDir Path dir) throws Exception {
        RealClient.require("redis-cli", "redis-tools");
        Path file = dir.resolve("resp.sock");
        try (RealClient demo = RealClient.start(NO_BUILD, DEMO.toString(), "resp", "--unix", file.toString())) {
            assertTrue(demo.awaitLineStartingWith("  resp ").contains(file.toString()));
            assertEquals("PONG\n", RealClient.runOk("redis-cli", "-s", file.toString(), "PING").out());
            demo.terminate();
            assertEquals(143, demo.awaitExit(), "exit code after SIGTERM");
        }
        assertFalse(Files.exists(file), "the socket file is removed when the demo stops");
    }

    @Test
    void withProxyProtocolAConnectionMustStartWithAHeader() throws Exception {
        RealClient.require("nc", "netcat-openbsd");
        try (RealClient demo = RealClient.start(NO_BUILD, DEMO.toString(), "resp", "--port", "0",
                "--proxy-protocol")) {
            String port = Integer.toString(bannerPort(demo, "resp"));
            byte[] withHeader = "PROXY TCP4 192.0.2.7 127.0.0.1 40000 6380\r\nPING\r\n"
                    .getBytes(StandardCharsets.US_ASCII);
            assertEquals("+PONG\r\n", RealClient.run(withHeader, "nc", "-N", "127.0.0.1", port).out());
            byte[] without = "PING\r\n".getBytes(StandardCharsets.US_ASCII);
            assertEquals("", RealClient.run(without, "nc", "-N", "127.0.0.1", port).out(), "closed, unanswered");
            demo.terminate();
            assertEquals(143, demo.awaitExit(), "exit code after SIGTERM");
        }
    }

    @Test
    void allSixStartOnTheirFixedPorts() throws Exception {
        // A loopback address of their own, so the fixed ports do not clash with a demo already running here.
        InetAddress bind = InetAddress.getByName("127.0.0.3");
        Path mail = dir.resolve("mail");
        try (RealClient demo = RealClient.start(NO_BUILD, DEMO.toString(), "--bind", "127.0.0.3", "--mail-dir",
                mail.toString())) {
            assertEquals(7000, bannerPort(demo, "chat"));
            assertEquals(7001, bannerPort(demo, "echo"));
            assertEquals(8080, bannerPort(demo, "http"));
            assertEquals(6380, bannerPort(demo, "resp"));
            assertEquals(2525, bannerPort(demo, "smtp"));
            assertEquals("        messages are written to " + mail + "\n", demo.nextLine());
            assertEquals(5433, bannerPort(demo, "pg"));

            try (Peer chat = Peer.connect(null, bind, 7000); Peer echo = Peer.connect(null, bind, 7001);
                 Peer http = Peer.connect(null, bind, 8080); Peer resp = Peer.connect(null, bind, 6380);
                 Peer smtp = Peer.connect(null, bind, 2525); Peer pg = Peer.connect(null, bind, 5433)) {
                chat.expectLine("* welcome to the loomchat room; your nickname?\r\n");
                echo.send("ECHO 2\nhi");
                assertEquals("hi", new String(echo.readUntilClosed(), java.nio.charset.StandardCharsets.US_ASCII));
                http.send("GET / HTTP/1.1\r\nHost: demo\r\n\r\n");
                http.expectLine("HTTP/1.1 200 OK\r\n");
                resp.send("PING\r\n");
                resp.expectLine("+PONG\r\n");
                smtp.expectLine("220 loomchat ESMTP loomchat SMTP sink ready\r\n");
                PgWire.logIn(pg);
                demo.terminate();
                chat.expectLine("* the room is closing; goodbye\r\n"); // the sessions are told, and may say so
                chat.expectClosed();
                smtp.expectClosed();
            }
            demo.awaitLineStartingWith("loomchat demo stopped");
            assertEquals(143, demo.awaitExit(), "exit code after SIGTERM");
        }
    }

    @Test
    void helpDescribesEveryFlag() throws Exception {
        RealClient.Result help = RealClient.runOk(DEMO.toString(), "--help");
        for (String flag : new String[] {"NAME", "--port", "--unix", "--bind", "--proxy-protocol", "--redis", "--mail-dir",
                "--quiet", "--help"}) {
            assertTrue(help.out().contains(flag), flag + " is not described in:\n" + help.out());
        }
    }

    @Test
    void badCommandLinesExitWith2AndSaySo() throws Exception {
        RealClient.Result unknown = RealClient.run(new byte[0], DEMO.toString(), "gopher");
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.stderr().contains("unknown NAME: gopher"), unknown.stderr());
        RealClient.Result portAlone = RealClient.run(new byte[0], DEMO.toString(), "--port", "7000");
        assertEquals(2, portAlone.exitCode());
        assertTrue(portAlone.stderr().contains("--port needs a NAME"), portAlone.stderr());
        RealClient.Result redisForResp = RealClient.run(new byte[0], DEMO.toString(), "resp", "--redis",
                "redis://127.0.0.1:6379");
        assertEquals(2, redisForResp.exitCode());
        assertTrue(redisForResp.stderr().contains("--redis is for the chat room"), redisForResp.stderr());
        RealClient.Result notRedis = RealClient.run(new byte[0], DEMO.toString(), "chat", "--redis", "localhost:6379");
        assertEquals(2, notRedis.exitCode());
        assertTrue(notRedis.stderr().contains("--redis: not a redis://HOST:PORT URI: localhost:6379"),
                notRedis.stderr());
    }

    @Test
    void scriptIsExecutable() {
        assertTrue(Files.isExecutable(DEMO), DEMO + " is not executable");
    }

    /** Reads the banner line of {@code name} and returns the port it names. */
    private static int bannerPort(RealClient demo, String name) throws InterruptedException {
        String line = demo.awaitLineStartingWith("  " + name + " ");
        Matcher port = Pattern.compile("^  " + name + " +[0-9.]+:(\\d+) ").matcher(line);
        assertTrue(port.find(), line);
        return Integer.parseInt(port.group(1));
    }
}

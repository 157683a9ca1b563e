package io.loomchat.examples;

import static io.loomchat.examples.Escape.escape;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.examples.resp.RespServer;
import io.loomchat.server.ChatServer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Redis-protocol store, with redis-cli and redis-benchmark (redis-tools), and plain sockets. */
@Timeout(60)
class RespServerTest {
    private ChatServer server;
    private String port;

    @BeforeEach
    void start() throws Exception {
        server = Peer.server(new RespServer());
        port = Integer.toString(server.port());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void redisCliRunsEveryCommand() throws Exception {
        RealClient.require("redis-cli", "redis-tools");
        assertEquals("PONG\\n", cli("PING"));
        assertEquals("hi there\\n", cli("PING", "hi there"));
        assertEquals("echo me\\n", cli("ECHO", "echo me"));
        assertEquals("OK\\n", cli("SET", "greeting", "hello"));
        assertEquals("hello\\n", cli("GET", "greeting"));
        assertEquals("1\\n", cli("INCR", "counter"));
        assertEquals("2\\n", cli("INCR", "counter"));
        assertEquals("OK\\n", cli("MSET", "a", "1", "b", "2"));
        assertEquals("1\\n2\\n\\n", cli("MGET", "a", "b", "nothing"));
        assertEquals("2\\n", cli("EXISTS", "a", "greeting", "nothing"));
        assertEquals("2\\n", cli("DEL", "a", "b", "nothing"));
        assertEquals("0\\n", cli("EXISTS", "a", "b"));
        assertEquals("\\n", cli("CONFIG", "GET", "save")); // an empty array
    }

    @Test
    void redisCliShowsErrors() throws Exception {
        RealClient.require("redis-cli", "redis-tools");
        assertEquals("ERR unknown command 'FLY', with args beginning with: 'away' \\n\\n", cli("FLY", "away"));
        assertEquals("ERR wrong number of arguments for 'get' command\\n\\n", cli("GET"));
        assertEquals("OK\\n", cli("SET", "word", "hello"));
        assertEquals("ERR value is not an integer or out of range\\n\\n", cli("INCR", "word"));
        assertEquals("ERR syntax error\\n\\n", cli("SET", "k", "v", "EX"));
        assertEquals("ERR invalid expire time in 'set' command\\n\\n", cli("SET", "k", "v", "EX", "0"));
    }

    @Test
    void redisCliRoundTripsAOneMegabyteBinaryValue() throws Exception {
        RealClient.require("redis-cli", "redis-tools");
        byte[] value = new byte[1024 * 1024];
        new Random(11).nextBytes(value);
        value[0] = '\r';
        value[1] = '\n';
        value[value.length - 1] = 0;
        // -x: the last argument is read from stdin, byte for byte.
        RealClient.Result set = RealClient.run(value, "redis-cli", "-h", "127.0.0.1", "-p", port, "-x", "SET", "blob");
        assertEquals("OK\n", set.out(), set.stderr());
        byte[] got = RealClient.runOk("redis-cli", "-h", "127.0.0.1", "-p", port, "--raw", "GET", "blob").stdout();
        // --raw prints the value as it is, then a newline.
        assertEquals(value.length + 1, got.length);
        assertArrayEquals(value, java.util.Arrays.copyOf(got, value.length));
        try (Peer peer = Peer.connect(server.port())) {
            peer.send("*2\r\n$3\r\nGET\r\n$4\r\nblob\r\n");
            peer.expectLine("$" + value.length + "\r\n");
            assertArrayEquals(value, peer.readExactly(value.length));
            assertEquals("\\r\\n", escape(peer.readExactly(2)));
        }
    }

    @Test
    void redisBenchmarkFinishesWithoutErrors() throws Exception {
        RealClient.require("redis-benchmark", "redis-tools");
        RealClient.Result result = RealClient.runOk("redis-benchmark", "-h", "127.0.0.1", "-p", port,
                "-t", "ping_inline,ping_mbulk,set,get,incr,mset", "-P", "16", "-n", "20000", "-c", "20", "--csv");
        String[] rows = result.out().strip().split("\n");
        assertEquals("\"test\",\"rps\"", rows[0].substring(0, 12), result.out());
        assertEquals(7, rows.length, result.out());
        for (String test : new String[] {"PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "MSET (10 keys)"}) {
            assertTrue(result.out().contains("\"" + test + "\","), test + " missing from " + result.out());
        }
        // The one line it may print there: CONFIG GET answers an empty array, so it cannot read the config.
        assertEquals("WARNING: Could not fetch server CONFIG", result.stderr().strip());
    }

    @Test
    void binaryKeysAndValuesRoundTripOverTheProtocol() throws Exception {
        byte[] key = {0, '\r', '\n', (byte) 0xff, ' '};
        byte[] value = new byte[70_000];
        new Random(5).nextBytes(value);
        try (Peer peer = Peer.connect(server.port())) {
            peer.send(array("SET".getBytes(StandardCharsets.US_ASCII), key, value));
            peer.expectLine("+OK\r\n");
            peer.send(array("GET".getBytes(StandardCharsets.US_ASCII), key));
            peer.expectLine("$" + value.length + "\r\n");
            assertArrayEquals(value, peer.readExactly(value.length));
            peer.expectLine("\r\n");
        }
    }

    @Test
    void inlineCommandsWorkWithCrlfOrBareLf() throws Exception {
        try (Peer peer = Peer.connect(server.port())) {
            peer.send("PING\r\n SET\t a   b \nGET a\r\n\r\nMGET a x\nQUIT\r\nPING\r\n");
            peer.expectLine("+PONG\r\n");
            peer.expectLine("+OK\r\n");
            assertEquals("$1\\r\\nb\\r\\n", escape(peer.readExactly(7)));
            assertEquals("*2\\r\\n$1\\r\\nb\\r\\n$-1\\r\\n", escape(peer.readExactly(16)));
            peer.expectLine("+OK\r\n");
            peer.expectClosed();
        }
    }

    @Test
    void keysExpireAfterPx() throws Exception {
        try (Peer peer = Peer.connect(server.port())) {
            peer.send("SET short lived PX 150\r\nSET long lived EX 100\r\nGET short\r\n");
            peer.expectLine("+OK\r\n");
            peer.expectLine("+OK\r\n");
            peer.expectLine("$5\r\n");
            peer.expectLine("lived\r\n");
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
                peer.send("EXISTS short\r\n");
                return peer.readLine().equals(":0\r\n");
            });
            peer.send("GET short\r\nEXISTS long\r\n");
            peer.expectLine("$-1\r\n");
            peer.expectLine(":1\r\n");
        }
    }

    @Test
    void incrOverflowIsAnError() throws Exception {
        try (Peer peer = Peer.connect(server.port())) {
            peer.send("SET n " + Long.MAX_VALUE + "\r\nINCR n\r\nGET n\r\n");
            peer.expectLine("+OK\r\n");
            peer.expectLine("-ERR increment or decrement would overflow\r\n");
            peer.expectLine("$19\r\n");
            peer.expectLine(Long.MAX_VALUE + "\r\n");
        }
    }

    @Test
    void emptyArraysAreIgnored() throws Exception {
        try (Peer peer = Peer.connect(server.port())) {
            peer.send("*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n");
            peer.expectLine("+PONG\r\n");
        }
    }

    @Test
    void protocolErrorsAreAnsweredAndClose() throws Exception {
        expectProtocolError("*1\r\n+PING\r\n", "expected '$', got '+'");
        expectProtocolError("*x\r\n", "invalid multibulk length");
        expectProtocolError("*1\r\n$-5\r\n", "invalid bulk length");
        expectProtocolError("*1\r\n$4\r\nPINGxx", "bulk string not followed by CRLF");
    }

    private void expectProtocolError(String request, String message) throws Exception {
        try (Peer peer = Peer.connect(server.port())) {
            peer.send(request + "PING\r\n");
            peer.expectLine("-ERR Protocol error: " + message + "\r\n");
            peer.expectClosed();
        }
    }

    /** Runs redis-cli (not on a terminal, so it prints replies plainly) and returns its output, escaped. */
    private String cli(String... args) throws Exception {
        String[] command = new String[args.length + 5];
        System.arraycopy(new String[] {"redis-cli", "-h", "127.0.0.1", "-p", port}, 0, command, 0, 5);
        System.arraycopy(args, 0, command, 5, args.length);
        return escape(RealClient.runOk(command).out());
    }

    private static byte[] array(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("*" + parts.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (byte[] part : parts) {
            out.writeBytes(("$" + part.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(part);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }
}

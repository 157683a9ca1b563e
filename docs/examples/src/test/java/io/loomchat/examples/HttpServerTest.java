package io.loomchat.examples;

import static io.loomchat.examples.Escape.escape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.examples.http.HttpServer;
import io.loomchat.server.ChatServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP/1.1 example, with curl and wrk, and plain sockets for pipelining and the error statuses. */
@Timeout(60)
class HttpServerTest {
    private static final int MAX_BODY = 1024 * 1024;
    private final AtomicInteger connections = new AtomicInteger();
    private ChatServer server;
    private String url;

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws Exception {
        HttpServer http = new HttpServer(HttpServer.DEFAULT_MAX_HEAD_BYTES, MAX_BODY);
        server = Peer.server(channel -> {
            connections.incrementAndGet();
            return http.create(channel);
        });
        url = "http://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void curlGetsThePage() throws Exception {
        RealClient.require("curl", "curl");
        String out = RealClient.runOk("curl", "-sS", "-i", "--max-time", "10", url + "/").out();
        assertTrue(out.startsWith("HTTP/1.1 200 OK\r\n"), escape(out));
        assertTrue(out.contains("\r\nContent-Type: text/html; charset=utf-8\r\n"), escape(out));
        assertTrue(out.endsWith("<h1>Hello from loomchat</h1><p>POST a body to /echo and it comes back.</p>"
                + "</body></html>\n"), escape(out));
    }

    @Test
    void curlPostsABinaryBodyAndGetsItBack() throws Exception {
        RealClient.require("curl", "curl");
        byte[] body = new byte[200_000];
        new Random(7).nextBytes(body);
        Path request = Files.write(dir.resolve("request.bin"), body);
        Path response = dir.resolve("response.bin");
        RealClient.runOk("curl", "-sS", "--max-time", "10", "--data-binary", "@" + request,
                "-H", "Content-Type: application/octet-stream", "-o", response.toString(), url + "/echo");
        assertArrayEquals(body, Files.readAllBytes(response));
    }

    @Test
    void curlReusesOneConnectionForSeveralRequests() throws Exception {
        RealClient.require("curl", "curl");
        RealClient.Result result = RealClient.runOk("curl", "-sS", "-v", "--max-time", "10",
                url + "/", url + "/missing", url + "/");
        assertTrue(result.stderr().contains("Re-using existing connection"), result.stderr());
        assertTrue(result.out().contains("no such page: /missing\n"), result.out());
        assertEquals(1, connections.get(), "connections the server accepted");
    }

    @Test
    void curlWaitingForContinueGets413ForABodyOverTheLimit() throws Exception {
        RealClient.require("curl", "curl");
        // curl asks "Expect: 100-continue" before a body this large, so the 413 comes before any body byte.
        Path request = Files.write(dir.resolve("big.bin"), new byte[2 * MAX_BODY]);
        RealClient.Result result = RealClient.runOk("curl", "-sS", "-v", "--max-time", "10", "-o", "/dev/null",
                "-w", "%{http_code}", "--data-binary", "@" + request, url + "/echo");
        assertTrue(result.stderr().contains("Expect: 100-continue"), result.stderr());
        assertEquals("413", result.out());
    }

    @Test
    void curlGetsContinueAndSendsABodyUnderTheLimit() throws Exception {
        RealClient.require("curl", "curl");
        byte[] body = new byte[MAX_BODY];
        new Random(3).nextBytes(body);
        Path request = Files.write(dir.resolve("body.bin"), body);
        Path response = dir.resolve("response.bin");
        RealClient.Result result = RealClient.runOk("curl", "-sS", "-v", "--max-time", "10", "-H",
                "Expect: 100-continue", "--data-binary", "@" + request, "-o", response.toString(), url + "/echo");
        assertTrue(result.stderr().contains("HTTP/1.1 100 Continue"), result.stderr());
        assertArrayEquals(body, Files.readAllBytes(response));
    }

    @Test
    void wrkLoadsThePageWithoutErrors() throws Exception {
        RealClient.require("wrk", "wrk");
        String out = RealClient.runOk("wrk", "-t", "2", "-c", "10", "-d", "2s", "--timeout", "5s", url + "/").out();
        Matcher requests = Pattern.compile("(\\d+) requests in").matcher(out);
        assertTrue(requests.find(), out);
        assertTrue(Long.parseLong(requests.group(1)) > 100, out);
        assertFalse(out.contains("Socket errors"), out);
        assertFalse(out.contains("Non-2xx"), out);
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (Peer peer = Peer.connect(server.port())) {
            peer.send("GET /missing HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\nfirst\r\n\r\n"
                    + "\r\nPOST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nConnection: close\r\n\r\nsecond");
            String responses = new String(peer.readUntilClosed(), StandardCharsets.ISO_8859_1);
            Matcher statuses = Pattern.compile("HTTP/1.1 (\\d+)[^\r]*\r\n").matcher(responses);
            StringBuilder seen = new StringBuilder();
            while (statuses.find()) seen.append(statuses.group(1)).append(' ');
            assertEquals("404 200 200 ", seen.toString(), escape(responses));
            assertTrue(responses.contains("\r\n\r\nfirst\r\n\r\nHTTP/1.1 200 OK"), escape(responses));
            assertTrue(responses.endsWith("Connection: close\r\n\r\nsecond"), escape(responses));
        }
    }

    @Test
    void malformedRequestLineGets400AndClose() throws Exception {
        expectStatusAndClose("GET /\r\nHost: x\r\n\r\n", "400 Bad Request");
    }

    @Test
    void headerWithSpaceBeforeColonGets400AndClose() throws Exception {
        expectStatusAndClose("GET / HTTP/1.1\r\nHost : x\r\n\r\n", "400 Bad Request");
    }

    @Test
    void http11RequestWithoutHostGets400AndClose() throws Exception {
        expectStatusAndClose("GET / HTTP/1.1\r\n\r\n", "400 Bad Request");
    }

    @Test
    void bodyOverTheLimitGets413BeforeItIsSent() throws Exception {
        expectStatusAndClose("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + (MAX_BODY + 1) + "\r\n\r\n",
                "413 Content Too Large");
    }

    @Test
    void headOverTheLimitGets431AndClose() throws Exception {
        String big = "X-Filler: " + "a".repeat(HttpServer.DEFAULT_MAX_HEAD_BYTES) + "\r\n";
        expectStatusAndClose("GET / HTTP/1.1\r\nHost: x\r\n" + big + "\r\n", "431 Request Header Fields Too Large");
    }

    @Test
    void chunkedBodiesGet501AndClose() throws Exception {
        expectStatusAndClose("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
                "501 Not Implemented");
    }

    @Test
    void http10ClosesAfterTheResponseAndHeadHasNoBody() throws Exception {
        try (Peer peer = Peer.connect(server.port())) {
            peer.send("HEAD / HTTP/1.0\r\n\r\n");
            String response = new String(peer.readUntilClosed(), StandardCharsets.ISO_8859_1);
            assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), escape(response));
            assertTrue(response.endsWith("Connection: close\r\n\r\n"), escape(response));
        }
    }

    @Test
    void wrongMethodGets405AndTheConnectionStaysOpen() throws Exception {
        try (Peer peer = Peer.connect(server.port())) {
            peer.send("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n");
            peer.expectLine("HTTP/1.1 405 Method Not Allowed\r\n");
            String line;
            do {
                line = peer.readLine();
            } while (!line.equals("\r\n"));
            assertEquals("POST only\n", new String(peer.readExactly(10), StandardCharsets.US_ASCII));
            peer.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            peer.expectLine("HTTP/1.1 200 OK\r\n");
        }
    }

    private void expectStatusAndClose(String request, String status) throws Exception {
        try (Peer peer = Peer.connect(server.port())) {
            peer.send(request);
            String response = new String(peer.readUntilClosed(), StandardCharsets.ISO_8859_1);
            assertTrue(response.startsWith("HTTP/1.1 " + status + "\r\n"), escape(response));
            assertTrue(response.contains("\r\nConnection: close\r\n"), escape(response));
        }
    }
}

package io.loomchat.examples;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.loomchat.core.SessionFactory;
import io.loomchat.examples.echo.EchoServer;
import io.loomchat.examples.resp.RespServer;
import io.loomchat.server.ChatServer;
import io.loomchat.server.ProxyHeader;
import io.loomchat.server.ProxyProtocol;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The echo and Redis-protocol examples behind a real HAProxy (Debian haproxy) in TCP mode, which sends each
 * connection's PROXY protocol header, version 1 ({@code send-proxy}) and 2 ({@code send-proxy-v2}): nc and
 * redis-cli reach the servers through it, and each session sees the client's own address and port.
 */
@Timeout(90)
class HaproxyTest {
    /** What a session saw: its remote address and the header. */
    private record Seen(SocketAddress remote, ProxyHeader header) {
    }

    private final BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
    private ChatServer echo;
    private ChatServer resp;
    private Process haproxy;
    /** HAProxy's listening ports: echo with v1, echo with v2, resp with v1, resp with v2. */
    private final int[] front = new int[4];

    @TempDir
    Path dir;

    private SessionFactory seeing(SessionFactory factory) {
        return channel -> {
            seen.add(new Seen(channel.remoteAddress(), ProxyHeader.of(channel).orElse(null)));
            return factory.create(channel);
        };
    }

    @BeforeEach
    void start() throws Exception {
        RealClient.require("haproxy", "haproxy");
        InetAddress loopback = InetAddress.getLoopbackAddress();
        echo = ChatServer.builder().bindAddress(loopback).proxyProtocol(ProxyProtocol.required())
                .listen(seeing(EchoServer::new));
        resp = ChatServer.builder().bindAddress(loopback).proxyProtocol(ProxyProtocol.required())
                .listen(seeing(new RespServer()));
        for (int i = 0; i < front.length; i++) front[i] = freePort();
        StringBuilder config = new StringBuilder("""
                global
                    maxconn 100
                defaults
                    mode tcp
                    timeout connect 5s
                    timeout client 30s
                    timeout server 30s
                """);
        String[] names = {"echo_v1", "echo_v2", "resp_v1", "resp_v2"};
        for (int i = 0; i < front.length; i++) {
            int backend = i < 2 ? echo.port() : resp.port();
            config.append("listen ").append(names[i]).append("\n    bind 127.0.0.1:").append(front[i])
                    .append("\n    server s1 127.0.0.1:").append(backend)
                    .append(i % 2 == 0 ? " send-proxy\n" : " send-proxy-v2\n");
        }
        Path file = Files.writeString(dir.resolve("haproxy.cfg"), config);
        haproxy = new ProcessBuilder("haproxy", "-f", file.toString(), "-db")
                .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile()).start();
        // Listening when its ports are taken: probing by connecting would open connections to the servers.
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
            if (!haproxy.isAlive()) throw new AssertionError("haproxy exited: " + log());
            for (int port : front) if (isFree(port)) return false;
            return true;
        });
    }

    @AfterEach
    void stop() throws Exception {
        if (haproxy != null) {
            haproxy.destroy();
            if (!haproxy.waitFor(10, TimeUnit.SECONDS)) haproxy.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (echo != null) echo.close();
        if (resp != null) resp.close();
    }

    private String log() throws IOException {
        return Files.readString(dir.resolve("haproxy.log"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    private Seen next() throws InterruptedException {
        Seen next = seen.poll(10, TimeUnit.SECONDS);
        if (next == null) throw new AssertionError("no session within 10 s; haproxy said: " + escapedLog());
        return next;
    }

    private String escapedLog() {
        try {
            return log();
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void ncThroughHaproxyReachesTheEchoExampleWhichSeesNcsOwnAddressAndPort() throws Exception {
        RealClient.requireOpenBsdNetcat();
        for (int i = 0; i < 2; i++) {
            // From another loopback address than HAProxy's own 127.0.0.1, and a port of our choosing.
            int sourcePort = freePort();
            byte[] input = "ECHO 5\nhello".getBytes(StandardCharsets.US_ASCII);
            RealClient.Result result = RealClient.run(input, "nc", "-s", "127.0.0.2", "-p",
                    Integer.toString(sourcePort), "127.0.0.1", Integer.toString(front[i]));
            assertEquals("hello", result.out(), "nc through " + (i == 0 ? "send-proxy" : "send-proxy-v2"));
            Seen session = next();
            assertEquals(new InetSocketAddress("127.0.0.2", sourcePort), session.remote());
            assertEquals(session.remote(), session.header().source());
            assertEquals(new InetSocketAddress("127.0.0.1", front[i]), session.header().destination());
            assertEquals(i + 1, session.header().version());
        }
    }

    @Test
    void redisCliThroughHaproxyReachesTheRespExample() throws Exception {
        RealClient.require("redis-cli", "redis-tools");
        for (int i = 2; i < 4; i++) {
            String port = Integer.toString(front[i]);
            assertEquals("OK\n", RealClient.runOk("redis-cli", "-h", "127.0.0.1", "-p", port, "SET", "k" + i, "v")
                    .out());
            assertEquals("v\n", RealClient.runOk("redis-cli", "-h", "127.0.0.1", "-p", port, "GET", "k" + i).out());
            for (int call = 0; call < 2; call++) {
                Seen session = next();
                InetSocketAddress client = (InetSocketAddress) session.remote();
                assertEquals(InetAddress.getLoopbackAddress(), client.getAddress());
                assertEquals(client, session.header().source());
                // The header's destination is HAProxy's listener, not the server's own port.
                assertEquals(new InetSocketAddress("127.0.0.1", front[i]), session.header().destination());
                assertEquals(i - 1, session.header().version());
            }
        }
    }
}

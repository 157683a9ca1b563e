package io.loomchat.examples;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} (Debian redis-server) on a free port of 127.0.0.1, without persistence, run as a child
 * process: started, killed and started again on the same port by a test.
 */
final class RedisServerProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final int port;
    private final Path log;
    private Process process;

    private RedisServerProcess(int port, Path log) {
        this.port = port;
        this.log = log;
    }

    /** Starts a redis-server on a free loopback port and waits until it answers PING; its output goes to {@code dir}. */
    static RedisServerProcess start(Path dir) throws IOException {
        RealClient.require("redis-server", "redis-server");
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        RedisServerProcess redis = new RedisServerProcess(port, dir.resolve("redis-" + port + ".log"));
        redis.start();
        return redis;
    }

    /** The {@code redis://} URI of this server. */
    String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** Starts the server again on the same port (after {@link #kill}) and waits until it answers PING. */
    void start() throws IOException {
        process = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        await("redis-server answers PING on port " + port).atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(50))
                .ignoreExceptions().until(this::answersPing);
    }

    /** Kills the server at once (SIGKILL), as a crash would, and waits for it to be gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) throw new AssertionError("redis-server did not die: " + output());
    }

    private boolean answersPing() throws IOException {
        if (!process.isAlive()) throw new AssertionError("redis-server exited: " + output());
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            socket.setSoTimeout(1000);
            socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            byte[] reply = in.readNBytes(7);
            return new String(reply, StandardCharsets.US_ASCII).equals("+PONG\r\n");
        }
    }

    private String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        if (process == null || !process.isAlive()) return;
        try {
            kill();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

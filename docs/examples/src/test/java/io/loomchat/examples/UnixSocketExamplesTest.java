package io.loomchat.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.loomchat.examples.echo.EchoServer;
import io.loomchat.examples.resp.RespServer;
import io.loomchat.server.ChatServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The echo and Redis-protocol examples on Unix domain sockets, with nc -U and redis-cli -s. */
@Timeout(60)
class UnixSocketExamplesTest {
    @TempDir
    Path dir;

    @Test
    void ncReachesTheEchoExampleOnASocketFile() throws Exception {
        RealClient.requireOpenBsdNetcat();
        Path file = dir.resolve("echo.sock");
        try (ChatServer server = ChatServer.builder().unixSocket(file).listen(EchoServer::new)) {
            RealClient.Result result = RealClient.run("ECHO 5\nhello".getBytes(StandardCharsets.US_ASCII),
                    "nc", "-U", file.toString());
            assertEquals("hello", result.out());
        }
        assertFalse(Files.exists(file), "closing the server removes the socket file");
    }

    @Test
    void redisCliReachesTheRespExampleOnASocketFile() throws Exception {
        RealClient.require("redis-cli", "redis-tools");
        Path file = dir.resolve("resp.sock");
        try (ChatServer server = ChatServer.builder().unixSocket(file).listen(new RespServer())) {
            assertEquals("PONG\n", RealClient.runOk("redis-cli", "-s", file.toString(), "PING").out());
            assertEquals("OK\n", RealClient.runOk("redis-cli", "-s", file.toString(), "SET", "k", "v").out());
            assertEquals("v\n", RealClient.runOk("redis-cli", "-s", file.toString(), "GET", "k").out());
        }
        assertFalse(Files.exists(file));
    }
}

package io.loomchat.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.ChatConnection;
import io.loomchat.core.ChatOptions;
import io.loomchat.core.ChatSession;
import io.loomchat.core.CloseReason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** ChatServer and ChatClient on a Unix domain socket: the conversation, limits, and the socket file. */
@Timeout(30)
class UnixSocketTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    @TempDir
    Path dir;

    /** Reads from a plain channel until {@code expected} has come, or the timeout. */
    private static String readUntil(SocketChannel channel, String expected) throws Exception {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(256);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        channel.configureBlocking(false);
        try (Selector selector = Selector.open()) {
            channel.register(selector, SelectionKey.OP_READ);
            while (!got.toString(StandardCharsets.UTF_8).contains(expected)) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || selector.select(Math.max(1, left / 1_000_000)) == 0) break;
                selector.selectedKeys().clear();
                buffer.clear();
                int n = channel.read(buffer);
                if (n < 0) break;
                got.write(buffer.array(), 0, n);
            }
        }
        return got.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aServerAndAClientTalkOverASocketFileThatCloseRemoves() throws Exception {
        Path file = dir.resolve("chat.sock");
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        try (ChatServer server = ChatServer.builder().unixSocket(file).listen(Identify::new)) {
            assertTrue(Files.exists(file));
            assertEquals(UnixDomainSocketAddress.of(file), server.localAddress());
            assertThrows(IllegalStateException.class, server::port);
            ChatConnection client = ChatClient.connect(UnixDomainSocketAddress.of(file), channel -> {
                channel.setTerminator("\n");
                channel.push("hello\n");
                return new ChatSession() {
                    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

                    @Override
                    public void collectIncomingData(byte[] data) {
                        line.writeBytes(data);
                    }

                    @Override
                    public void foundTerminator() {
                        lines.add(line.toString(StandardCharsets.UTF_8) + " (from " + channel.remoteAddress() + ")");
                        line.reset();
                    }
                };
            });
            // The client's peer is the socket file; the server's peer is the client, unnamed.
            assertEquals("you are  to - (from " + file + ")", lines.poll(5, TimeUnit.SECONDS));
            assertEquals("echo hello (from " + file + ")", lines.poll(5, TimeUnit.SECONDS));
            assertInstanceOf(UnixDomainSocketAddress.class, client.channel().remoteAddress());
            client.close();
            assertTrue(client.awaitClosed(TIMEOUT));
        }
        assertFalse(Files.exists(file), "close removes the socket file");
    }

    @Test
    void theIdleTimeoutAndMaxConnectionsHoldOnAUnixSocket() throws Exception {
        Path file = dir.resolve("idle.sock");
        ChatOptions options = ChatOptions.defaults().withIdleTimeout(Duration.ofMillis(300));
        try (CapturedLog log = CapturedLog.of("io.loomchat");
             ChatServer server = ChatServer.builder().unixSocket(file).options(options).maxConnections(1)
                     .refusalMessage("busy\n").listen(Identify::new);
             SocketChannel first = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            first.connect(UnixDomainSocketAddress.of(file));
            assertTrue(readUntil(first, "to -\n").startsWith("you are"));
            try (SocketChannel second = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                second.connect(UnixDomainSocketAddress.of(file));
                assertEquals("busy\n", readUntil(second, "busy\n"));
            }
            // Idle: the server closes the first connection on its own.
            await().atMost(TIMEOUT).until(() -> server.stats().closedByReason().get(CloseReason.IDLE_TIMEOUT) == 1);
            assertEquals(0, server.connectionCount());
            assertTrue(log.warnings().stream().anyMatch(w -> w.contains("refused") && w.contains("1 connections open")),
                    log.warnings().toString());
        }
    }

    @Test
    void bindingFailsOnAnExistingFileAndConnectingToNoServerSaysWhere() throws Exception {
        Path file = Files.createFile(dir.resolve("taken.sock"));
        assertThrows(IOException.class, () -> ChatServer.builder().unixSocket(file).listen(Identify::new));
        assertTrue(Files.exists(file), "a file that was there is left alone");
        Path none = dir.resolve("none.sock");
        IOException e = assertThrows(IOException.class,
                () -> ChatClient.connect(UnixDomainSocketAddress.of(none), Identify::new));
        assertTrue(e.getMessage().startsWith("connecting to " + none + ": "), e.getMessage());
    }
}

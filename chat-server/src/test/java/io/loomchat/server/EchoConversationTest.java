package io.loomchat.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.ChatConnection;
import io.loomchat.core.ChatOptions;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * PyMOTW's asynchat echo conversation over a real loopback socket, loomchat on both ends: the client sends
 * {@code ECHO <n>} and n bytes through a producer; the server reads a line, then a count, echoes the bytes and
 * closes when done; the client collects until the server has closed.
 */
@Timeout(60)
class EchoConversationTest {
    /** PyMOTW's example sets ac_in_buffer_size and ac_out_buffer_size to 128. */
    private static final ChatOptions PYMOTW = ChatOptions.defaults().withInBufferSize(128).withOutBufferSize(128);

    static Stream<Arguments> conversations() {
        return Stream.of(
                Arguments.of("text", ChatOptions.defaults(), "This is the message. It will be echoed.\n"
                        .getBytes(StandardCharsets.UTF_8)),
                Arguments.of("empty", ChatOptions.defaults(), new byte[0]),
                // Random bytes hold hundreds of '\n's: only the count terminator keeps them from being lines.
                Arguments.of("binary, 100 KB, default buffers", ChatOptions.defaults(), random(100_000, 1)),
                Arguments.of("binary, 10 KB, PyMOTW's 128-byte buffers", PYMOTW, random(10_000, 2)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("conversations")
    void echoedBytesRoundTripExactly(String name, ChatOptions options, byte[] message) throws Exception {
        try (ChatServer server = echoServer(options)) {
            CompletableFuture<byte[]> echoed = new CompletableFuture<>();
            try (ChatConnection client = EchoClient.converse(server.port(), options, message, echoed)) {
                assertTrue(client.awaitClosed(PlainClient.TIMEOUT), "the server closed the conversation");
                assertArrayEquals(message, echoed.get(PlainClient.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
            }
            await().atMost(PlainClient.TIMEOUT).until(() -> server.connectionCount() == 0);
        }
    }

    @Test
    void concurrentConversationsEachGetTheirOwnBytesBack() throws Exception {
        int clients = 16;
        try (ChatServer server = echoServer(ChatOptions.defaults())) {
            List<byte[]> messages = new ArrayList<>();
            List<CompletableFuture<byte[]>> echoes = new ArrayList<>();
            List<ChatConnection> connections = new ArrayList<>();
            try {
                for (int i = 0; i < clients; i++) {
                    messages.add(random(5_000 + 1_000 * i, 100 + i));
                    echoes.add(new CompletableFuture<>());
                    connections.add(EchoClient.converse(server.port(), ChatOptions.defaults(), messages.get(i),
                            echoes.get(i)));
                }
                for (int i = 0; i < clients; i++) {
                    assertArrayEquals(messages.get(i), echoes.get(i).get(PlainClient.TIMEOUT.toMillis(),
                            TimeUnit.MILLISECONDS), "client " + i);
                }
            } finally {
                connections.forEach(ChatConnection::close);
            }
            await().atMost(PlainClient.TIMEOUT).until(() -> server.connectionCount() == 0);
            assertEquals(0, server.connectionCount());
        }
    }

    @Test
    void plainClientGetsTheSameEchoAsALoomchatClient() throws Exception {
        try (ChatServer server = echoServer(ChatOptions.defaults());
             PlainClient client = PlainClient.connect(server.port())) {
            client.send(List.of("ECHO 11\nhello".getBytes(StandardCharsets.UTF_8),
                    "\nworld".getBytes(StandardCharsets.UTF_8)));

            assertEquals("hello\nworld", client.readTextToEnd());
        }
    }

    static ChatServer echoServer(ChatOptions options) throws Exception {
        return ChatServer.builder().bindAddress(InetAddress.getLoopbackAddress()).options(options)
                .listen(EchoHandler::new);
    }

    static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}

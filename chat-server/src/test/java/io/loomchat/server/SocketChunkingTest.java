package io.loomchat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.Terminator;
import io.loomchat.server.Transcribing.Transcript;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Terminator cases of test_asynchat.py over real loopback sockets: a plain client writes the input whole, one
 * byte per write, or in seeded random writes (TCP_NODELAY, so the server's reads split differently), then
 * half-closes; the server's session must receive the same messages and tail every time.
 */
@Timeout(60)
class SocketChunkingTest {
    private static final long[] SEEDS = {1, 7, 42};
    private static final String LINES = "hello world%sI'm not dead yet!%s";

    static Stream<Arguments> cases() {
        String data = "hello world, I'm not dead yet!\n";
        return Stream.of(
                // test_asynchat.TestAsynchat.test_line_terminator1, 2, 3
                Arguments.of("1-byte delimiter", terminator(Terminator.delimiter("\n")), LINES.formatted("\n", "\n"),
                        new Transcript(List.of("hello world", "I'm not dead yet!"), "")),
                Arguments.of("2-byte delimiter", terminator(Terminator.delimiter("\r\n")),
                        LINES.formatted("\r\n", "\r\n"),
                        new Transcript(List.of("hello world", "I'm not dead yet!"), "")),
                Arguments.of("3-byte delimiter", terminator(Terminator.delimiter("qqq")),
                        LINES.formatted("qqq", "qqq"), new Transcript(List.of("hello world", "I'm not dead yet!"), "")),
                // test_asynchat.TestAsynchat.test_numeric_terminator2
                Arguments.of("count", terminator(Terminator.count(6)), data,
                        new Transcript(List.of("hello "), "world, I'm not dead yet!\\n")),
                // test_asynchat.TestAsynchat.test_none_terminator
                Arguments.of("none", terminator(Terminator.none()), data,
                        new Transcript(List.of(), "hello world, I'm not dead yet!\\n")),
                // test_asynchat.TestAsynchat.test_empty_line
                Arguments.of("empty line", terminator(Terminator.delimiter("\n")), "hello world\n\nI'm not dead yet!\n",
                        new Transcript(List.of("hello world", "", "I'm not dead yet!"), "")),
                Arguments.of("line header then count body", (Consumer<ChatChannel>) c -> c.setTerminator("\r\n"),
                        "LEN 5\r\nhelloLEN 4\r\n\r\n\r\nQUIT\r\n",
                        new Transcript(List.of("LEN 5", "hello", "LEN 4", "\\r\\n\\r\\n", "QUIT"), "")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void serverSessionSeesTheSameMessagesHoweverTheClientSplitsItsWrites(String name, Consumer<ChatChannel> setup,
                                                                          String input, Transcript expected)
            throws Exception {
        BlockingQueue<Transcribing> created = Transcribing.queue();
        try (ChatServer server = ChatServer.builder().bindAddress(InetAddress.getLoopbackAddress())
                .listen(channel -> {
                    setup.accept(channel);
                    return new LengthPrefixed(channel, created);
                })) {
            byte[] bytes = input.getBytes(StandardCharsets.UTF_8);
            for (int which = 0; which < SEEDS.length + 2; which++) {
                List<byte[]> chunks = chunking(bytes, which);
                try (PlainClient client = PlainClient.connect(server.port())) {
                    client.send(chunks).shutdownOutput().readToEnd();
                    Transcribing session = Transcribing.next(created);

                    assertEquals(expected, session.awaitTranscript(), () -> "writes of " + sizes(chunks));
                    assertEquals(1, session.closedCalls());
                }
            }
        }
    }

    private static Consumer<ChatChannel> terminator(Terminator terminator) {
        return channel -> channel.setTerminator(terminator);
    }

    /** Chunking 0 is whole, 1 is one byte per write, the others random with the seeds. */
    private static List<byte[]> chunking(byte[] input, int which) {
        if (which == 0) return List.of(input);
        Random random = which == 1 ? null : new Random(SEEDS[which - 2]);
        List<byte[]> chunks = new ArrayList<>();
        for (int i = 0; i < input.length; ) {
            int size = random == null ? 1 : 1 + random.nextInt(8);
            chunks.add(Arrays.copyOfRange(input, i, Math.min(input.length, i + size)));
            i += size;
        }
        return chunks;
    }

    private static List<Integer> sizes(List<byte[]> chunks) {
        return chunks.stream().map(c -> c.length).toList();
    }

    /** A header line "LEN n" switches to a count of n; the body after it switches back to lines. */
    private static final class LengthPrefixed extends Transcribing {
        private boolean inBody;

        LengthPrefixed(ChatChannel channel, BlockingQueue<Transcribing> created) {
            super(channel, created);
        }

        @Override
        void onMessage(byte[] message) {
            String text = new String(message, StandardCharsets.ISO_8859_1);
            if (inBody) {
                channel.setTerminator("\r\n");
                inBody = false;
            } else if (text.startsWith("LEN ")) {
                channel.setTerminator(Long.parseLong(text.substring(4)));
                inBody = true;
            }
        }
    }
}

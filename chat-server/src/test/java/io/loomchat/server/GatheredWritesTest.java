package io.loomchat.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatSession;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * On plain TCP the pump gathers queued segments, copied and shared ({@code pushWithoutCopy}), into one system
 * call. Whatever the mix of sizes (under 1 KiB, which is copied; up to 64 KiB; over the 256 KiB a write gathers),
 * however many segments (more than a write takes), and whoever writes (the connection thread for its callbacks'
 * replies, the pump for a large queue or another thread's pushes), the peer reads every byte in order. The
 * peer's small receive buffer makes the server's gathering writes return partly written, and resume.
 */
@Timeout(60)
class GatheredWritesTest {
    /** Body sizes: a mix, from a few bytes to over what one write gathers. */
    private static final int[] MIXED = {7, 1023, 1024, 5000, 16384, 65536, 70000, 300_000, 2};
    /**
     * Small bodies, each a segment of its own between two copied ones: 40 replies are 80 segments and ~50 KiB,
     * under the low watermark, so the connection thread writes them itself, in two gathering writes.
     */
    private static final int[] SMALL = {1024, 1100, 1300, 1500};

    @ParameterizedTest(name = "{0} replies of {1} sizes, from {2}")
    @CsvSource({"9, mixed, callback", "9, mixed, thread", "400, mixed, callback", "400, mixed, thread",
            "40, small, callback"})
    void everyByteArrivesInOrder(int replies, String sizes, String from) throws Exception {
        int[] bodySizes = sizes.equals("small") ? SMALL : MIXED;
        try (ChatServer server = ChatServer.builder().bindAddress(InetAddress.getLoopbackAddress())
                .listen(channel -> new Replier(channel, replies, bodySizes, from.equals("thread")));
             PlainClient client = PlainClient.connectWithReceiveBuffer(server.port(), 4096)) {
            byte[] received = client.send("GO\n").readToEnd();  // the server closes when done
            byte[] expected = expected(replies, bodySizes);
            // Not assertArrayEquals on megabytes: say where they part.
            int mismatch = Arrays.mismatch(expected, received);
            assertArrayEquals(new int[] {-1, expected.length}, new int[] {mismatch, received.length},
                    "first differing byte (-1 for none), and bytes received");
        }
    }

    /** Reply i: a header pushed, a body of sizes[i % sizes.length] bytes pushed without copy, and a CRLF. */
    private static void reply(ChatChannel channel, int i, int[] sizes) {
        channel.push("#" + i + ":");
        channel.pushWithoutCopy(body(i, sizes));
        channel.push("\r\n");
    }

    private static byte[] body(int i, int[] sizes) {
        byte[] body = new byte[sizes[i % sizes.length]];
        for (int j = 0; j < body.length; j++) body[j] = (byte) (i + j / 1000);
        return body;
    }

    private static byte[] expected(int replies, int[] sizes) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 0; i < replies; i++) {
            all.writeBytes(("#" + i + ":").getBytes(StandardCharsets.US_ASCII));
            all.writeBytes(body(i, sizes));
            all.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return all.toByteArray();
    }

    /** On the line "GO", pushes the replies (from its callback, or from a thread of its own), then closes. */
    private static final class Replier implements ChatSession {
        private final ChatChannel channel;
        private final int replies;
        private final int[] sizes;
        private final boolean fromThread;

        Replier(ChatChannel channel, int replies, int[] sizes, boolean fromThread) {
            this.channel = channel;
            this.replies = replies;
            this.sizes = sizes;
            this.fromThread = fromThread;
            channel.setTerminator("\n");
        }

        @Override
        public void collectIncomingData(byte[] data) {
        }

        @Override
        public void foundTerminator() {
            Runnable all = () -> {
                for (int i = 0; i < replies; i++) reply(channel, i, sizes);
                channel.closeWhenDone();
            };
            if (fromThread) CompletableFuture.runAsync(all, runnable -> Thread.ofVirtual().start(runnable));
            else all.run();
        }
    }
}

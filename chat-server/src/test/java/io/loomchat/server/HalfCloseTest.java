package io.loomchat.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatSession;
import io.loomchat.core.CloseReason;
import io.loomchat.core.SessionFactory;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The two halves of a connection's end over real sockets: a session that shuts its output and keeps reading
 * ({@code shutdownOutputWhenDone}), and the peer's end of input that the session hears with its tail
 * ({@code inputEnded}).
 */
@Timeout(60)
class HalfCloseTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    /** What a session saw, in order: "line:…", "output shut", "ended:collected|tail", "closed". */
    private static final class Seen {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();

        String next() throws InterruptedException {
            String event = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (event == null) throw new AssertionError("no event within " + WAIT + "; seen so far: " + events);
            return event;
        }
    }

    /** Lines under "\n"; "bye" is answered, then the output is shut; the end of input is recorded. */
    private static SessionFactory halfClosing(Seen seen) {
        return channel -> {
            channel.setTerminator("\n");
            return new ChatSession() {
                private final ByteArrayOutputStream line = new ByteArrayOutputStream();

                @Override
                public void collectIncomingData(byte[] data) {
                    line.writeBytes(data);
                }

                @Override
                public void foundTerminator() {
                    String text = line.toString(StandardCharsets.UTF_8);
                    line.reset();
                    seen.events.add("line:" + text + (channel.isOpen() ? "" : " (output shut)"));
                    if (text.equals("bye")) {
                        channel.push("bye\n");
                        channel.shutdownOutputWhenDone();
                        channel.push("dropped\n");
                    }
                }

                @Override
                public void inputEnded(ChatChannel channel, byte[] tail) {
                    seen.events.add("ended:" + line.toString(StandardCharsets.UTF_8) + "|"
                            + new String(tail, StandardCharsets.UTF_8));
                    channel.push("not written: the output is shut\n");
                }

                @Override
                public void closed() {
                    seen.events.add("closed");
                }
            };
        };
    }

    @Test
    void shutdownOutputWhenDoneSendsEndOfStreamAndInputIsStillDispatched() throws Exception {
        Seen seen = new Seen();
        try (ChatServer server = ChatServer.listen(0, halfClosing(seen));
             PlainClient client = PlainClient.connect(server.port())) {
            client.send("hi\nbye\n");
            // The reply, then end of stream: the server's output is shut, its socket still open.
            assertEquals("bye\n", client.readTextToEnd());
            assertEquals("line:hi", seen.next());
            assertEquals("line:bye", seen.next());
            assertEquals(1, server.connectionCount());

            client.send("after the FIN\nunterminated").shutdownOutput();
            assertEquals("line:after the FIN (output shut)", seen.next());
            assertEquals("ended:unterminated|", seen.next());
            assertEquals("closed", seen.next());
            await("counted as the peer's close").atMost(WAIT)
                    .until(() -> server.stats().closedByReason().get(CloseReason.PEER_CLOSED) == 1L);
        }
    }

    /** Adds up numbers, one a line under "\r\n"; at the end of input, answers with the total and what was left. */
    private static SessionFactory totals(List<String> tails) {
        return channel -> {
            channel.setTerminator("\r\n");
            return new ChatSession() {
                private final ByteArrayOutputStream number = new ByteArrayOutputStream();
                private long total;

                @Override
                public void collectIncomingData(byte[] data) {
                    number.writeBytes(data);
                }

                @Override
                public void foundTerminator() {
                    total += Long.parseLong(number.toString(StandardCharsets.US_ASCII));
                    number.reset();
                }

                @Override
                public void inputEnded(ChatChannel channel, byte[] tail) {
                    String left = number.toString(StandardCharsets.US_ASCII);
                    tails.add(left + "|" + Transcribing.escape(tail));
                    channel.push("total " + total + ", left " + Transcribing.escape(number.toByteArray())
                            + " + " + Transcribing.escape(tail) + "\r\n");
                }
            };
        };
    }

    @Test
    void theEndOfInputIsHeardWithTheHeldBackDelimiterPrefixUnderEveryChunking() throws Exception {
        byte[] input = "10\r\n20\r\n5\r".getBytes(StandardCharsets.US_ASCII);
        List<List<byte[]>> chunkings = new ArrayList<>();
        chunkings.add(List.of(input));
        for (int split = 1; split < input.length; split++) {
            chunkings.add(List.of(Arrays.copyOfRange(input, 0, split), Arrays.copyOfRange(input, split, input.length)));
        }
        List<byte[]> bytes = new ArrayList<>();
        for (byte b : input) bytes.add(new byte[] {b});
        chunkings.add(bytes);

        List<String> tails = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (ChatServer server = ChatServer.listen(0, totals(tails))) {
            for (List<byte[]> chunks : chunkings) {
                try (PlainClient client = PlainClient.connect(server.port())) {
                    client.send(chunks).shutdownOutput();
                    // The reply to the end of input arrives whole, then the connection closes.
                    assertEquals("total 30, left 5 + \\r\r\n", client.readTextToEnd(), "chunks " + describe(chunks));
                }
            }
            assertEquals(chunkings.size(), tails.size());
            assertTrue(tails.stream().allMatch("5|\\r"::equals), tails.toString());
        }
    }

    private static String describe(List<byte[]> chunks) {
        List<String> parts = new ArrayList<>();
        for (byte[] chunk : chunks) parts.add(Transcribing.escape(chunk));
        return parts.toString();
    }
}

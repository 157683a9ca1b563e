package io.loomchat.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.Chunkings.Chunking;

import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntToLongFunction;

/**
 * What a session had received at each read that would block (the contract rule's points), under one chunking of
 * its input: the bytes read by then, the messages, the unterminated tail, and the bytes collected in all.
 */
final class SeenAtBlocks {
    private SeenAtBlocks() {
    }

    /** The session's state where the reader was about to block, after {@code bytesRead} bytes of input. */
    record Point(int bytesRead, List<String> messages, String tail, long collected) {
    }

    /** Runs {@code chunks}, one per read, and returns the session's state at each read that would block. */
    static List<Point> run(List<byte[]> chunks, ChatOptions options,
                           Function<ChatChannel, RecordingSession> sessions) throws InterruptedException {
        RecordingSession[] session = new RecordingSession[1];
        List<Point> points = new ArrayList<>();  // written on the connection thread, read after it closed
        int[] read = {0};
        BlockPointInput in = new BlockPointInput(chunks, (used, chunk) -> {
            if (chunk != null) read[0] += chunk.length;
            RecordingSession s = session[0];
            points.add(new Point(read[0], s.messages(), s.tail(), s.collectedBytes()));
        });
        ChatConnection connection = ChatConnection.start(in, OutputStream.nullOutputStream(), options, channel ->
                session[0] = sessions.apply(channel));
        assertTrue(connection.awaitClosed(Runs.TIMEOUT), "still open after " + Runs.TIMEOUT);
        return points;
    }

    /**
     * Returns what the session has after the input's first {@code n} bytes arrive in one read and the input ends
     * there: the state every chunking must show when it blocks after those bytes.
     */
    static Point whole(byte[] input, int n, ChatOptions options, Function<ChatChannel, RecordingSession> sessions)
            throws InterruptedException {
        if (n == 0) return new Point(0, List.of(), "", 0);
        RecordingSession s = Runs.runToEnd(List.of(Arrays.copyOf(input, n)), options, sessions).session();
        return new Point(n, s.messages(), s.tail(), s.collectedBytes());
    }

    /**
     * Checks, under every chunking, that where the reader blocks after n bytes the session has what it has when
     * those n bytes come whole and the input ends, and has collected {@code collected(n)} bytes.
     */
    static void assertAtEveryBlock(byte[] input, Function<ChatChannel, RecordingSession> sessions,
                                   IntToLongFunction collected) throws InterruptedException {
        Map<Integer, Point> expected = new HashMap<>();
        List<Chunking> chunkings = new ArrayList<>(Chunkings.of(input));
        chunkings.addAll(Chunkings.twoWaySplits(input));
        for (Chunking chunking : chunkings) {
            for (Point point : run(chunking.chunks(), ChatOptions.defaults(), sessions)) {
                int n = point.bytesRead();
                Point whole = expected.get(n);
                if (whole == null) {
                    whole = whole(input, n, ChatOptions.defaults(), sessions);
                    expected.put(n, whole);
                }
                assertEquals(whole, point, chunking + ": after " + n + " bytes");
                assertEquals(collected.applyAsLong(n), point.collected(), chunking + ": collected after " + n);
            }
        }
    }
}

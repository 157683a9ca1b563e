package io.loomchat.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The adaptive input buffer: it settles at the size the traffic needs instead of cycling. */
@Timeout(30)
class BufferSizingTest {
    /**
     * inBufferSize 16 KiB, one 1500-byte line per read: the first line fills the 256-byte quiet buffer and moves
     * it to 16 KiB, where it stays; every later line arrives in one piece. (A buffer that shrank back after
     * 16 reads under an eighth of 16 KiB would cycle, splitting every 17th line.)
     */
    @Test
    void mediumLinesDoNotCycleTheBuffer() throws Exception {
        int lines = 48;
        List<byte[]> chunks = new ArrayList<>();
        byte[] line = ("x".repeat(1499) + "\n").getBytes();
        for (int i = 0; i < lines; i++) chunks.add(line);
        ScriptedInput in = ScriptedInput.of(chunks);
        AtomicReference<RecordingSession> session = new AtomicReference<>();
        ChatConnection connection = ChatConnection.start(in, new CapturedOutput(),
                ChatOptions.defaults().withInBufferSize(16384), ch -> {
                    RecordingSession s = RecordingSession.with(ch, Terminator.delimiter("\n"));
                    session.set(s);
                    return s;
                });
        assertTrue(connection.awaitClosed(Duration.ofSeconds(10)));
        assertEquals(lines, session.get().messages().size());
        assertEquals(lines + 1, session.get().pieces().size(), "lines split across reads after the first");
    }

    /**
     * A 4096-byte count after a line, 3000 bytes of it in the read that brought the line, the rest already
     * available: the rest is read straight into the session's array, so the value arrives in one piece, not as
     * 3000 + 1096.
     */
    @Test
    void aLargeCountMostlyBufferedReachesTheSessionInOnePiece() throws Exception {
        assertEquals(List.of(3, 4096, 3), piecesOfACountSplitAfter3000(true));
    }

    /**
     * The same count, the rest arriving only later: the reader hands over the 3000 bytes before it waits for
     * them, as asynchat collects every read.
     */
    @Test
    void aLargeCountWhoseRestIsNotYetHereIsHandedOverBeforeTheReaderWaits() throws Exception {
        assertEquals(List.of(3, 3000, 1096, 3), piecesOfACountSplitAfter3000(false));
    }

    private static List<Integer> piecesOfACountSplitAfter3000(boolean restAvailable) throws Exception {
        byte[] value = "v".repeat(4096).getBytes();
        byte[] first = new byte[4 + 3000];
        System.arraycopy("LEN\n".getBytes(), 0, first, 0, 4);
        System.arraycopy(value, 0, first, 4, 3000);
        byte[] second = new byte[1096 + 4];
        System.arraycopy(value, 3000, second, 0, 1096);
        System.arraycopy("END\n".getBytes(), 0, second, 1096, 4);
        AtomicReference<RecordingSession> session = new AtomicReference<>();
        ScriptedInput input = ScriptedInput.open().feed(first);
        if (restAvailable) input.feed(second);
        ChatConnection connection = ChatConnection.start(input,
                new CapturedOutput(), ChatOptions.defaults().withInBufferSize(4000), ch -> {
                    RecordingSession s = RecordingSession.onLines(ch,
                            message -> ch.setTerminator(new String(message).equals("LEN") ? Terminator.count(4096)
                                    : Terminator.delimiter("\n")));
                    session.set(s);
                    return s;
                });
        if (!restAvailable) {
            // The reader blocks for the rest: by then the session holds the 3000 bytes that came.
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> session.get() != null && session.get().pieces().size() == 2);
            input.feed(second);
        }
        input.end();
        assertTrue(connection.awaitClosed(Duration.ofSeconds(10)));
        assertEquals(List.of("LEN", "v".repeat(4096), "END"), session.get().messages());
        return session.get().pieces().stream().map(String::length).toList();
    }
}

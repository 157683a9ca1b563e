package io.loomchat.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.Terminator;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The reader alone: bytes in, the sink's calls out, no connection and no threads. */
class TerminatorReaderTest {

    /**
     * Records the reader's calls as text: [ before a read's callbacks, ] after, "abc" a collect (a long one as its
     * length in parentheses), | a found.
     */
    static final class Recorder implements ReaderSink {
        final StringBuilder calls = new StringBuilder();
        final List<Integer> pieces = new ArrayList<>();
        boolean open = true;
        String tooLong;
        Consumer<Recorder> onFound = r -> { };
        Consumer<Recorder> onCollect = r -> { };

        @Override
        public boolean dispatching() {
            return open;
        }

        @Override
        public void beginDispatch() {
            calls.append('[');
        }

        @Override
        public void endDispatch() {
            calls.append(']');
        }

        @Override
        public void collect(byte[] data) {
            calls.append(data.length > 20 ? "(" + data.length + ")" : new String(data, StandardCharsets.ISO_8859_1));
            pieces.add(data.length);
            onCollect.accept(this);
        }

        @Override
        public void found() {
            calls.append('|');
            onFound.accept(this);
        }

        @Override
        public void messageTooLong(int limit, long bytes) {
            tooLong = limit + "/" + bytes;
            open = false;
        }

        @Override
        public void frameTooLarge(long limit, long bytes) {
            tooLong = "frame " + limit + "/" + bytes;
            open = false;
        }

        @Override
        public void protocolError(String rule, String detail) {
            tooLong = rule + ": " + detail;
            open = false;
        }
    }

    /**
     * Hands out chunks as a socket would: a read returns at most what is left of the current chunk; the next chunk
     * has not arrived yet ({@code available()} is 0 at a chunk's end), so a read that starts on it is one that
     * would have blocked, and reports that first.
     */
    static final class Chunks extends InputStream {
        private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
        private final Runnable onWouldBlock;
        private boolean inChunk;

        Chunks(Runnable onWouldBlock, String... chunks) {
            this.onWouldBlock = onWouldBlock;
            for (String c : chunks) this.chunks.add(c.getBytes(StandardCharsets.ISO_8859_1));
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (!inChunk) onWouldBlock.run();
            byte[] chunk = chunks.poll();
            if (chunk == null) return -1;
            int n = Math.min(len, chunk.length);
            System.arraycopy(chunk, 0, b, off, n);
            inChunk = n < chunk.length;
            if (inChunk) chunks.addFirst(java.util.Arrays.copyOfRange(chunk, n, chunk.length));
            return n;
        }

        @Override
        public int available() {
            return inChunk ? chunks.peek().length : 0;
        }
    }

    private static TerminatorReader reader(InputStream in, Recorder sink, int inBufferSize, int maxMessageSize) {
        return new TerminatorReader(in, sink, TimeSource.SYSTEM, inBufferSize, maxMessageSize);
    }

    @Test
    void eachReadIsDispatchedBetweenBeginAndEndAsAsynchatSplitsIt() throws IOException {
        Recorder sink = new Recorder();
        TerminatorReader reader = reader(new Chunks(() -> { }, "ab\r", "\ncd\r\n", "e"), sink, 4096, 0);
        reader.setTerminator(Terminator.delimiter("\r\n"));
        assertTrue(reader.run(), "ends at the end of input");
        assertEquals("[ab][|cd|][e]", sink.calls.toString(), "the \\r is held back until the \\n comes");
        assertEquals(2, reader.stamps().messages());
        assertEquals(9, reader.stamps().bytesIn());
    }

    @Test
    void aTerminatorSetInFoundTerminatorAppliesToTheRestOfTheRead() throws IOException {
        Recorder sink = new Recorder();
        TerminatorReader reader = reader(new Chunks(() -> { }, "LEN\nabcdeTAIL\n"), sink, 4096, 0);
        reader.setTerminator(Terminator.delimiter("\n"));
        sink.onFound = r -> reader.setTerminator(r.calls.toString().endsWith("LEN|")
                ? Terminator.count(5) : Terminator.delimiter("\n"));
        reader.run();
        assertEquals("[LEN|abcde|TAIL|]", sink.calls.toString());
    }

    @Test
    void aLargeCountThatArrivesInOneGoReachesTheSessionInOnePiece() throws IOException {
        Recorder sink = new Recorder();
        TerminatorReader reader = reader(new Chunks(() -> { }, "v".repeat(10_000) + "\n"), sink, 4096, 0);
        reader.setTerminator(Terminator.count(10_000));
        reader.run();
        assertEquals(List.of(10_000, 1), sink.pieces, "read straight into one array after the first, 256-byte read");
        assertEquals("[][(10000)|][\n]", sink.calls.toString(),
                "the first read leaves its 256 bytes to the direct read; the count read exactly, the rest after it");
    }

    @Test
    void beforeAReadThatWouldBlockEveryByteReadHasBeenCollected() throws IOException {
        Recorder sink = new Recorder();
        List<Integer> collectedWhenBlocking = new ArrayList<>();
        String value = "x".repeat(6_000);
        Chunks in = new Chunks(() -> collectedWhenBlocking.add(sink.pieces.stream().mapToInt(i -> i).sum()),
                value.substring(0, 2_500), value.substring(2_500, 5_000), value.substring(5_000));
        TerminatorReader reader = reader(in, sink, 4096, 0);
        reader.setTerminator(Terminator.count(6_000));
        reader.run();
        assertEquals(List.of(0, 2_500, 5_000, 6_000), collectedWhenBlocking);
        assertEquals("[(256)][(2244)][(2500)][(1000)|]", sink.calls.toString(),
                "the rest is not here: the count goes through the buffer, read by read");
    }

    /**
     * A delimiter set in the collect that meets a count: the count is still found, and the delimiter is what
     * splits the rest and what getTerminator() says, not the met count's Count(0).
     */
    @Test
    void aDelimiterSetInTheCollectThatMeetsACountIsTheTerminatorAfterIt() throws IOException {
        Recorder sink = new Recorder();
        TerminatorReader reader = reader(new Chunks(() -> { }, "abcx\ny\n"), sink, 4096, 0);
        reader.setTerminator(Terminator.count(3));
        boolean[] set = new boolean[1];
        sink.onCollect = r -> {
            if (!set[0]) reader.setTerminator(Terminator.delimiter("\n"));
            set[0] = true;
        };
        reader.run();
        assertEquals("[abc|x|y|]", sink.calls.toString());
        assertEquals(Terminator.delimiter("\n"), reader.getTerminator());
    }

    @Test
    void aTerminatorSetInCollectIncomingDataAppliesToTheRestOfTheCount() throws IOException {
        Recorder sink = new Recorder();
        TerminatorReader reader = reader(new Chunks(() -> { }, "a".repeat(5_000), "bc\nd\n"), sink, 8192, 0);
        reader.setTerminator(Terminator.count(100_000));
        sink.onCollect = r -> reader.setTerminator(Terminator.delimiter("\n"));
        reader.run();
        assertEquals("[(256)][(4744)][bc|d|]", sink.calls.toString(), "the rest is read under the new terminator");
    }

    @Test
    void aMessageOverTheLimitStopsDispatching() throws IOException {
        Recorder sink = new Recorder();
        TerminatorReader reader = reader(new Chunks(() -> { }, "0123456789", "more\n"), sink, 4, 8);
        reader.setTerminator(Terminator.delimiter("\n"));
        assertFalse(reader.run(), "stopped, not at the end of input");
        assertEquals("8/10", sink.tooLong);
        assertEquals("[0123][4567][]", sink.calls.toString());
    }

    @Test
    void discardDropsWhatIsBufferedAtTheNextTurn() throws IOException {
        Recorder sink = new Recorder();
        TerminatorReader reader = reader(new ByteArrayInputStream("one\ntwo\nthree\n".getBytes()), sink, 4096, 0);
        reader.setTerminator(Terminator.delimiter("\n"));
        sink.onFound = r -> reader.discard();
        reader.run();
        assertEquals("[one|]", sink.calls.toString());
    }

    @Test
    void drainReadsAndDropsUpToItsLimit() throws IOException {
        Recorder sink = new Recorder();
        TerminatorReader reader = reader(new ByteArrayInputStream(new byte[10_000]), sink, 1000, 0);
        reader.drain(2_500);
        assertEquals(3_000, reader.stamps().bytesIn(), "whole reads, up to the first past the limit");
        assertEquals("", sink.calls.toString());
    }
}

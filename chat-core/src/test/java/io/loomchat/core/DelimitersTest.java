package io.loomchat.core;

import static io.loomchat.core.Runs.ascii;
import static io.loomchat.core.Runs.sameUnderEveryChunking;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.Chunkings.Chunking;
import io.loomchat.core.RecordingSession.OnError;
import io.loomchat.core.RecordingSession.Transcript;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Several delimiters: which one ends a message, under every chunking and at every read that would block. */
@Timeout(60)
class DelimitersTest {
    private static final Terminator.Delimiters LENIENT = Terminator.anyOf("\r\n", "\n");

    /** A session that records, inside each foundTerminator, which delimiter ended the message. */
    static final class Which extends RecordingSession {
        final List<String> ends = new ArrayList<>();

        Which(ChatChannel channel, Terminator terminator) {
            super(channel);
            channel.setTerminator(terminator);
        }

        @Override
        void onMessage(byte[] message) {
            Terminator.Delimiter d = channel.lastDelimiter();
            ends.add(d == null ? "null" : escape(d.bytes()));
        }
    }

    private static Transcript everyChunking(String input, Function<ChatChannel, RecordingSession> sessions)
            throws InterruptedException {
        List<Chunking> chunkings = new ArrayList<>(Chunkings.of(ascii(input)));
        chunkings.addAll(Chunkings.twoWaySplits(ascii(input)));
        return sameUnderEveryChunking(chunkings, ChatOptions.defaults(), sessions);
    }

    @Test
    void theLongerOfTwoDelimitersThatEndAtTheSamePlaceWins() throws Exception {
        String input = "a\r\nb\nc\r\r\n\n\r\nd";

        Transcript transcript = everyChunking(input, channel -> RecordingSession.with(channel, LENIENT));
        Which whole = (Which) Runs.runToEnd(List.of(ascii(input)), ChatOptions.defaults(),
                channel -> new Which(channel, LENIENT)).session();

        assertEquals(new Transcript(List.of("a", "b", "c\\r", "", ""), "d"), transcript);
        assertEquals(List.of("\\r\\n", "\\n", "\\r\\n", "\\n", "\\r\\n"), whole.ends);
    }

    @Test
    void theDelimiterThatEndsFirstWinsEvenWhenALongerOneStartsThere() throws Exception {
        Terminator.Delimiters crOrCrlf = Terminator.anyOf("\r", "\r\n");
        Terminator.Delimiters overlapping = Terminator.anyOf("abcd", "bc");

        Transcript cr = everyChunking("a\r\nb\r", channel -> RecordingSession.with(channel, crOrCrlf));
        Transcript inner = everyChunking("xabcdy", channel -> RecordingSession.with(channel, overlapping));

        assertEquals(new Transcript(List.of("a", "\\nb"), ""), cr, "\\r ends first; the \\n begins the next");
        assertEquals(new Transcript(List.of("xa"), "dy"), inner, "bc ends before abcd would");
    }

    @Test
    void manyDelimitersWithManyFirstBytesUseTheTableSearchAlike() throws Exception {
        Terminator.Delimiters many = Terminator.anyOf(";", ",", "|", "<END>", "\r\n");
        String input = "one;two,three|four<END>five\r\nsix<EN<END>seven<E";

        Transcript transcript = everyChunking(input, channel -> RecordingSession.with(channel, many));
        Which whole = (Which) Runs.runToEnd(List.of(ascii(input)), ChatOptions.defaults(),
                channel -> new Which(channel, many)).session();

        assertEquals(new Transcript(List.of("one", "two", "three", "four", "five", "six<EN"), "seven"),
                transcript, "\"<E\" may begin \"<END>\": held back when the input ends");
        assertEquals(List.of(";", ",", "|", "<END>", "\\r\\n", "<END>"), whole.ends);
    }

    /** The contract rule: where the reader would block, all is collected but the longest end that begins one. */
    @Test
    void atEveryReadThatWouldBlockAllButAHeldBackPrefixHasBeenCollected() throws Exception {
        Terminator.Delimiters set = Terminator.anyOf("\r\n.\r\n", "\n", "<<");
        String input = "data\r\n.\r\nmore\r\n.x<y<<last\r";
        byte[] bytes = ascii(input);
        List<String> delimiters = List.of("\r\n.\r\n", "\n", "<<");
        SeenAtBlocks.assertAtEveryBlock(bytes, channel -> RecordingSession.with(channel, set),
                n -> naiveCollected(input.substring(0, n), delimiters));
    }

    /**
     * The bytes a session has collected after {@code read}, by the definition: at each place where delimiters end
     * (the first such place first), the longest of them ends the message and is dropped; at the end the longest
     * end of the message that begins a delimiter is held back.
     */
    static long naiveCollected(String read, List<String> delimiters) {
        int message = 0;
        long collected = 0;
        for (int end = 1; end <= read.length(); end++) {
            String best = null;
            for (String d : delimiters) {
                if (end - d.length() >= message && read.startsWith(d, end - d.length())
                        && (best == null || d.length() > best.length())) {
                    best = d;
                }
            }
            if (best != null) {
                collected += end - best.length() - message;
                message = end;
            }
        }
        int held = 0;
        for (String d : delimiters) {
            for (int l = Math.min(d.length() - 1, read.length() - message); l > held; l--) {
                if (read.endsWith(d.substring(0, l))) held = l;
            }
        }
        return collected + read.length() - message - held;
    }

    @Test
    void aTerminatorSetInFoundTerminatorAppliesAtOnceToInputAlreadyBuffered() throws Exception {
        String input = "HEAD\nk: v\r\n\r\nbody5line\r\ntail";
        Function<ChatChannel, RecordingSession> sessions = channel -> new RecordingSession(channel) {
            @Override
            void onMessage(byte[] message) {
                String m = new String(message);
                if (m.equals("HEAD")) channel.setTerminator(LENIENT);
                else if (m.isEmpty()) channel.setTerminator(5);
                else if (m.equals("body5")) channel.setTerminator(Terminator.strictLines());
                else if (m.equals("line")) channel.setTerminator(Terminator.none());
            }
        };
        Function<ChatChannel, RecordingSession> first = channel -> {
            channel.setTerminator("\n");
            return sessions.apply(channel);
        };

        Transcript transcript = everyChunking(input, first);
        RecordingSession whole = Runs.runToEnd(List.of(ascii(input)), ChatOptions.defaults(), first).session();

        assertEquals(new Transcript(List.of("HEAD", "k: v", "", "body5", "line"), "tail"), transcript);
        assertEquals(List.of(Terminator.delimiter("\n"), LENIENT, LENIENT, Terminator.count(0),
                Terminator.strictLines()), whole.terminatorsAtFound());
    }

    @Test
    void aMessageOverMaxMessageSizeIsALimitAsForOneDelimiter() throws Exception {
        ChatOptions max8 = ChatOptions.defaults().withMaxMessageSize(8);
        for (Chunking chunking : Chunkings.of("12345678\n123456789\n")) {
            try (CapturedLog log = CapturedLog.of("io.loomchat.limits")) {
                RecordingSession session = Runs.runToEnd(chunking.chunks(), max8,
                        channel -> RecordingSession.with(channel, LENIENT).onError(OnError.DEFAULT)).session();

                assertEquals(List.of("12345678"), session.messages(), chunking.toString());
                ChatLimitException limit = assertInstanceOf(ChatLimitException.class, session.errors().get(0));
                assertEquals("maxMessageSize", limit.limit());
                assertEquals(1, log.warnings().size());
            }
        }
    }

    @Test
    void theRecordCopiesDropsRepeatsAndShowsItsDelimiters() {
        byte[] crlf = {'\r', '\n'};
        Terminator.Delimiters d = Terminator.anyOf(crlf, new byte[] {'\n'}, crlf.clone());
        crlf[0] = 'x';

        assertEquals(LENIENT, d);
        assertEquals(2, d.delimiters().size());
        assertEquals("Delimiters[\"\\r\\n\", \"\\n\"]", d.toString());
        assertThrows(IllegalArgumentException.class, () -> Terminator.anyOf(new String[0]));
        assertThrows(IllegalArgumentException.class, () -> Terminator.anyOf("\n", ""));
        assertTrue(d.delimiters().get(0).equals(Terminator.delimiter("\r\n")));
    }
}

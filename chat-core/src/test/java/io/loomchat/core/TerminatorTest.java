package io.loomchat.core;

import static io.loomchat.core.Runs.ascii;
import static io.loomchat.core.Runs.sameUnderEveryChunking;
import static io.loomchat.core.Runs.start;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.loomchat.core.RecordingSession.Transcript;
import io.loomchat.core.Runs.Live;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How the channel splits input by its terminator, pinned to asynchat's handle_read (CPython 3.11). */
@Timeout(30)
class TerminatorTest {

    @ParameterizedTest(name = "\"{0}\" in \"{1}\"")
    @CsvSource(delimiterString = "|", value = {
        "\\r\\n | abc\\r\\ndef\\r\\n | abc,def",
        "aab | aaabbaab | a,b",
        "\\r\\n.\\r\\n | hi\\r\\n.\\r\\n\\r\\n.\\r\\n | hi,",
    })
    void delimiterSplitAcrossReadsIsFoundAtEverySplitPoint(String delimiter, String input, String expected)
            throws Exception {
        byte[] bytes = ascii(unescape(input));
        List<Chunkings.Chunking> chunkings = new ArrayList<>(Chunkings.of(bytes));
        chunkings.addAll(Chunkings.twoWaySplits(bytes));

        Transcript transcript = sameUnderEveryChunking(chunkings, ChatOptions.defaults(),
                channel -> RecordingSession.with(channel, Terminator.delimiter(unescape(delimiter))));

        assertEquals(new Transcript(List.of(expected.split(",", -1)), ""), transcript);
    }

    @Test
    void heldBackDelimiterPrefixIsNotCollectedBeforeTheNextRead() throws Exception {
        try (Live live = start(ScriptedInput.open(), channel -> RecordingSession.with(channel,
                Terminator.delimiter("\r\n")))) {
            live.in().feed("abc\r");
            await().atMost(Runs.TIMEOUT).untilAsserted(() -> assertEquals(List.of("abc"), live.session().pieces()));

            live.in().feed("\n");
            await().atMost(Runs.TIMEOUT).untilAsserted(() -> assertEquals(List.of("abc"), live.session().messages()));
            assertEquals(List.of("abc"), live.session().pieces());
        }
    }

    @Test
    void heldBackPrefixNotFollowedByTheDelimiterIsCollectedAsData() throws Exception {
        Transcript transcript = sameUnderEveryChunking("abc\rx\r\n\r\r\n",
                channel -> RecordingSession.with(channel, Terminator.delimiter("\r\n")));

        assertEquals(new Transcript(List.of("abc\\rx", "\\r"), ""), transcript);
    }

    @Test
    void emptyPieceIsNeverCollectedBetweenAdjacentDelimiters() throws Exception {
        Transcript transcript = sameUnderEveryChunking("\n\n\nx\n",
                channel -> RecordingSession.with(channel, Terminator.delimiter("\n")));
        RecordingSession whole = Runs.runToEnd(List.of(ascii("\n\n\nx\n")), ChatOptions.defaults(),
                channel -> RecordingSession.with(channel, Terminator.delimiter("\n"))).session();

        assertEquals(new Transcript(List.of("", "", "", "x"), ""), transcript);
        assertEquals(List.of("x"), whole.pieces());
    }

    @Test
    void terminatorSetInFoundTerminatorAppliesAtOnceToInputAlreadyBuffered() throws Exception {
        String input = "LEN 5\r\nhelloLEN 4\r\n\r\n\r\nQUIT\r\n";

        Transcript transcript = sameUnderEveryChunking(input, LengthPrefixed::new);
        RecordingSession whole = Runs.runToEnd(List.of(ascii(input)), ChatOptions.defaults(), LengthPrefixed::new)
                .session();

        assertEquals(new Transcript(List.of("LEN 5", "hello", "LEN 4", "\\r\\n\\r\\n", "QUIT"), ""), transcript);
        Terminator line = Terminator.delimiter("\r\n");
        Terminator met = Terminator.count(0);
        assertEquals(List.of(line, met, line, met, line), whole.terminatorsAtFound());
    }

    @Test
    void countCountsDownAcrossReadsAndIsZeroInsideFoundTerminator() throws Exception {
        try (Live live = start(ScriptedInput.open(), channel -> RecordingSession.with(channel, Terminator.count(5)))) {
            ChatChannel channel = live.connection().channel();
            live.in().feed("ab");
            await().atMost(Runs.TIMEOUT).untilAsserted(() -> assertEquals(List.of("ab"), live.session().pieces()));
            assertEquals(Terminator.count(3), channel.getTerminator());

            live.in().feed("cd");
            await().atMost(Runs.TIMEOUT).untilAsserted(() ->
                    assertEquals(Terminator.count(1), channel.getTerminator()));

            live.in().feed("efg");
            await().atMost(Runs.TIMEOUT).untilAsserted(() -> assertEquals("fg", live.session().tail()));
            assertEquals(List.of("abcde"), live.session().messages());
            assertEquals(List.of(Terminator.count(0)), live.session().terminatorsAtFound());

            // asynchat: a met count is 0, which collects everything from then on, with no further found_terminator
            live.in().feed("hij");
            await().atMost(Runs.TIMEOUT).untilAsserted(() -> assertEquals("fghij", live.session().tail()));
            assertEquals(List.of("abcde"), live.session().messages());
            assertEquals(List.of("ab", "cd", "e", "fg", "hij"), live.session().pieces());
        }
    }

    @Test
    void countOfZeroMeansNone() throws Exception {
        Transcript transcript = sameUnderEveryChunking("some\r\ninput", channel -> {
            channel.setTerminator(0L);
            return new RecordingSession(channel);
        });

        assertEquals(new Transcript(List.of(), "some\\r\\ninput"), transcript);
    }

    @Test
    void negativeCountIsRefusedAndLeavesTheTerminatorUnchanged() throws Exception {
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        try (Live live = start(ScriptedInput.open(), channel -> {
            channel.setTerminator("\n");
            thrown.complete(assertThrows(IllegalArgumentException.class, () -> channel.setTerminator(-5L)));
            return new RecordingSession(channel);
        })) {
            assertEquals("count < 0: -5", thrown.get(Runs.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).getMessage());
            assertEquals(Terminator.delimiter("\n"), live.connection().channel().getTerminator());
        }
        assertThrows(IllegalArgumentException.class, () -> new Terminator.Count(-5));
    }

    @Test
    void emptyDelimiterTextOrBytesMeansNone() throws Exception {
        List<Terminator> seen = new ArrayList<>();
        Transcript transcript = sameUnderEveryChunking("a\r\nb", channel -> {
            channel.setTerminator("\r\n");
            channel.setTerminator("");
            seen.add(channel.getTerminator());
            channel.setTerminator("\r\n");
            channel.setTerminator(new byte[0]);
            seen.add(channel.getTerminator());
            return new RecordingSession(channel);
        });

        assertEquals(new Transcript(List.of(), "a\\r\\nb"), transcript);
        assertEquals(Terminator.none(), seen.get(0));
        assertEquals(Terminator.none(), seen.get(1));
        assertEquals(Terminator.none(), Terminator.delimiter(""));
        assertThrows(IllegalArgumentException.class, () -> new Terminator.Delimiter(new byte[0]));
    }

    @Test
    void delimiterLongerThanTheInputBufferIsFound() throws Exception {
        ChatOptions tiny = ChatOptions.defaults().withInBufferSize(4);

        Transcript transcript = sameUnderEveryChunking(Chunkings.of("part one--boundary--part two--boundary--tail"),
                tiny, channel -> RecordingSession.with(channel, Terminator.delimiter("--boundary--")));

        assertEquals(new Transcript(List.of("part one", "part two"), "tail"), transcript);
    }

    @Test
    void textDelimiterIsEncodedAsUtf8() throws Exception {
        Transcript transcript = sameUnderEveryChunking("a\u2192b\u2192c", channel -> {
            channel.setTerminator("\u2192");
            return new RecordingSession(channel);
        });

        assertEquals(new Transcript(List.of("a", "b"), "c"), transcript);
    }

    @Test
    void delimiterIsAValueThatCopiesItsBytesAndPrintsThemEscaped() {
        byte[] bytes = ascii("\r\n");
        Terminator.Delimiter delimiter = new Terminator.Delimiter(bytes);
        bytes[0] = 'X';
        delimiter.bytes()[1] = 'Y';

        assertArrayEquals(ascii("\r\n"), delimiter.bytes());
        assertEquals(new Terminator.Delimiter(ascii("\r\n")), delimiter);
        assertEquals(new Terminator.Delimiter(ascii("\r\n")).hashCode(), delimiter.hashCode());
        assertNotEquals(new Terminator.Delimiter(ascii("\n")), delimiter);
        assertEquals("Delimiter[\"\\r\\n\"]", delimiter.toString());
    }

    /** Turns the {@code \r} and {@code \n} escapes of a CSV test case into the characters. */
    private static String unescape(String text) {
        return text.replace("\\r", "\r").replace("\\n", "\n");
    }

    /** A line header "LEN n" switches to a count of n; a met count switches back to lines. */
    private static final class LengthPrefixed extends RecordingSession {
        LengthPrefixed(ChatChannel channel) {
            super(channel);
            channel.setTerminator("\r\n");
        }

        @Override
        void onMessage(byte[] message) {
            String text = new String(message, StandardCharsets.ISO_8859_1);
            if (channel.getTerminator() instanceof Terminator.Count) {
                channel.setTerminator("\r\n");
            } else if (text.startsWith("LEN ")) {
                channel.setTerminator(Long.parseLong(text.substring(4)));
            }
        }
    }
}

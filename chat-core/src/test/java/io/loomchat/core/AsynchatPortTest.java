package io.loomchat.core;

import static io.loomchat.core.Runs.ascii;
import static io.loomchat.core.Runs.sameUnderEveryChunking;
import static io.loomchat.core.Runs.start;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.RecordingSession.Transcript;
import io.loomchat.core.Runs.Live;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Ports of CPython 3.11's Lib/test/test_asynchat.py. There an echo server sends the client's pushes back in
 * 1-, 2- and 3-byte chunks; here the same bytes reach the session under every {@link Chunkings chunking}, and
 * the messages must not depend on it.
 */
@Timeout(30)
class AsynchatPortTest {
    private static final String DATA = "hello world, I'm not dead yet!\n";

    private static Function<ChatChannel, RecordingSession> terminatedBy(Terminator terminator) {
        return channel -> RecordingSession.with(channel, terminator);
    }

    // test_asynchat.TestAsynchat.test_line_terminator1, test_line_terminator2, test_line_terminator3
    @ParameterizedTest(name = "terminator \"{0}\"")
    @ValueSource(strings = {"\n", "\r\n", "qqq"})
    void lineTerminatorOfOneTwoOrThreeBytesSplitsMessagesUnderEveryChunking(String terminator) throws Exception {
        // The client pushed "hello ", "world" + term, "I'm not dead yet!" + term.
        String input = "hello " + "world" + terminator + "I'm not dead yet!" + terminator;

        Transcript transcript = sameUnderEveryChunking(input, terminatedBy(Terminator.delimiter(terminator)));

        assertEquals(new Transcript(List.of("hello world", "I'm not dead yet!"), ""), transcript);
    }

    // test_asynchat.TestAsynchat.test_numeric_terminator1, test_numeric_terminator2
    @ParameterizedTest(name = "count {0}")
    @ValueSource(ints = {1, 6})
    void numericTerminatorCollectsThatManyBytesThenEverything(int count) throws Exception {
        Transcript transcript = sameUnderEveryChunking(DATA, terminatedBy(Terminator.count(count)));

        // asynchat: the count is then 0, which collects the rest without another found_terminator
        assertEquals(new Transcript(List.of(DATA.substring(0, count)),
                RecordingSession.escape(ascii(DATA.substring(count)))), transcript);
    }

    // test_asynchat.TestAsynchat.test_none_terminator
    @Test
    void noneTerminatorCollectsEverythingAndNeverFindsTheTerminator() throws Exception {
        Transcript transcript = sameUnderEveryChunking(DATA, terminatedBy(Terminator.none()));

        assertEquals(new Transcript(List.of(), "hello world, I'm not dead yet!\\n"), transcript);
    }

    // test_asynchat.TestAsynchat.test_simple_producer
    @Test
    void simpleProducerOutputIsSplitIntoTheSameLines() throws Exception {
        byte[] data = ascii("hello world\nI'm not dead yet!\n");

        byte[] echoed = written(channel -> channel.pushWithProducer(Producers.simple(data, 8)));

        assertArrayEquals(data, echoed);
        assertEquals(new Transcript(List.of("hello world", "I'm not dead yet!"), ""),
                sameUnderEveryChunking(echoed, terminatedBy(Terminator.delimiter("\n"))));
    }

    // test_asynchat.TestAsynchat.test_simple_producer: simple_producer's own chunking
    @Test
    void simpleProducerHandsOutChunksOfAtMostItsBufferSizeThenNothing() throws Exception {
        Producer producer = Producers.simple(ascii("hello world\nI'm not dead yet!\n"), 8);
        List<Integer> sizes = new ArrayList<>();
        for (byte[] chunk = producer.more(); chunk != null && chunk.length > 0; chunk = producer.more()) {
            sizes.add(chunk.length);
        }

        assertEquals(List.of(8, 8, 8, 6), sizes);
        assertEquals(0, producer.more().length);
    }

    // test_asynchat.TestAsynchat.test_string_producer
    @Test
    void bytesPushedAsAProducerAreSplitIntoTheSameLines() throws Exception {
        byte[] data = ascii("hello world\nI'm not dead yet!\n");

        byte[] echoed = written(channel -> channel.pushWithProducer(Producers.simple(data)));

        assertEquals(new Transcript(List.of("hello world", "I'm not dead yet!"), ""),
                sameUnderEveryChunking(echoed, terminatedBy(Terminator.delimiter("\n"))));
    }

    // test_asynchat.TestAsynchat.test_push: bytes, bytearray and memoryview there; bytes, text and a reused
    // array here. The TypeError for a non-bytes push is, in Java, a NullPointerException for null.
    @Test
    void pushedBytesTextAndReusedArraysAreWrittenAsPushed() throws Exception {
        byte[] reused = ascii("bytes\n");
        byte[] echoed = written(channel -> {
            channel.push(reused);
            Arrays.fill(reused, (byte) 'X'); // push copied it
            channel.push("bytes\n");
            channel.push(ascii("bytes\n"));
            assertThrows(NullPointerException.class, () -> channel.push((byte[]) null));
        });

        assertEquals(new Transcript(List.of("bytes", "bytes", "bytes"), ""),
                sameUnderEveryChunking(echoed, terminatedBy(Terminator.delimiter("\n"))));
    }

    // test_asynchat.TestAsynchat.test_empty_line
    @Test
    void emptyLineIsAnEmptyMessageButNeverAnEmptyPiece() throws Exception {
        Transcript transcript = sameUnderEveryChunking("hello world\n\nI'm not dead yet!\n",
                terminatedBy(Terminator.delimiter("\n")));

        assertEquals(new Transcript(List.of("hello world", "", "I'm not dead yet!"), ""), transcript);
    }

    // test_asynchat.TestAsynchat.test_close_when_done
    @Test
    void closeWhenDoneWritesThePushesThenClosesBeforeAnyEcho() throws Exception {
        try (Live live = start(ScriptedInput.open(), channel -> {
            channel.setTerminator("\n");
            channel.push("hello world\nI'm not dead yet!\n");
            channel.closeWhenDone();
            return new RecordingSession(channel);
        })) {
            live.awaitClosed();
            live.in().feed("hello world\nI'm not dead yet!\n"); // the echo comes too late to be read

            assertEquals("hello world\\nI'm not dead yet!\\n", live.out().escaped());
            assertTrue(live.in().isClosed());
            assertEquals(List.of(), live.session().messages());
            assertEquals(1, live.session().closedCalls());
        }
    }

    // test_asynchat.TestHelperFunctions.test_find_prefix_at_end
    @Test
    void findPrefixAtEndReturnsTheLongestPrefixOfTheNeedleThatEndsTheHaystack() {
        assertEquals(1, Terminator.findPrefixAtEnd(ascii("qwerty\r"), ascii("\r\n")));
        assertEquals(0, Terminator.findPrefixAtEnd(ascii("qwertydkjf"), ascii("\r\n")));
        assertEquals(2, Terminator.findPrefixAtEnd(ascii("abcqq"), ascii("qqq")));
        assertEquals(1, Terminator.findPrefixAtEnd(ascii("q"), ascii("qqq")));
        assertEquals(3, Terminator.findPrefixAtEnd(ascii("x\r\n."), ascii("\r\n.\r\n")));
        assertEquals(0, Terminator.findPrefixAtEnd(new byte[0], ascii("\r\n")));
    }

    // test_asynchat.TestNotConnected.test_disallow_negative_terminator
    @Test
    void negativeTerminatorIsRefused() throws Exception {
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        try (Live live = start(ScriptedInput.open(), channel -> {
            thrown.complete(assertThrows(IllegalArgumentException.class, () -> channel.setTerminator(-1)));
            return new RecordingSession(channel);
        })) {
            assertEquals("count < 0: -1", thrown.get(Runs.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).getMessage());
            assertEquals(Terminator.none(), live.connection().channel().getTerminator());
        }
        assertThrows(IllegalArgumentException.class, () -> Terminator.count(-1));
    }

    /** Runs a connection whose factory calls {@code pushes} then closeWhenDone; returns what it wrote. */
    private static byte[] written(Consumer<ChatChannel> pushes) throws Exception {
        try (Live live = start(ScriptedInput.open(), channel -> {
            pushes.accept(channel);
            channel.closeWhenDone();
            return new RecordingSession(channel);
        })) {
            return live.awaitClosed().out().bytes();
        }
    }
}

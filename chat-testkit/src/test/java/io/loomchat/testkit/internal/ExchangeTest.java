package io.loomchat.testkit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The expectation engine against a peer that hands out chosen chunks, one per receive: how bytes arrive over a
 * socket cannot be chosen, and these tests are about exactly that.
 */
class ExchangeTest {

    @Test
    void aMatchIsTakenOnlyOnceItsLastByteHasArrived() {
        Exchange exchange = new Exchange(new ChunkPeer("25", "0 o", "k\r\nnext"), Duration.ofSeconds(1));
        exchange.expectMatch(java.util.regex.Pattern.compile("\\d+ ok\r\n"), "match");
        exchange.expect(bytes("next"), "rest");
        assertEquals("< 250 ok\\r\\n\n< next\n", exchange.transcript());
    }

    @Test
    void aMatchEndsAtAWholeUtf8CharacterWhenOneIsCutInTwo() {
        byte[] cafe = bytes("café\r\n");
        // é is two bytes: the first chunk ends in the middle of it.
        ChunkPeer peer = new ChunkPeer(new String(cafe, 0, 4, StandardCharsets.ISO_8859_1),
                new String(cafe, 4, cafe.length - 4, StandardCharsets.ISO_8859_1));
        Exchange exchange = new Exchange(peer, Duration.ofSeconds(1));
        exchange.expectMatch(java.util.regex.Pattern.compile("caf.\r\n"), "match");
        exchange.expectEof("end");
    }

    @Test
    void aLineIsComparedOnlyWhenItsTerminatorHasArrived() {
        Exchange exchange = new Exchange(new ChunkPeer("hel", "p\r", "\n", "rest"), Duration.ofSeconds(1));
        AssertionError e = assertThrows(AssertionError.class,
                () -> exchange.expectLine(bytes("hello"), bytes("\r\n"), "expectLine(\"hello\")"));
        assertEquals("expectLine(\"hello\") failed (step 1, talking to chunks): a different line arrived\n"
                + "  expected: a line \"hello\" ending \"\\r\\n\"\n"
                + "  received: \"help\\r\\n\"\n"
                + "transcript so far (> sent, < received):\n"
                + "  < help\\r\\n\n", e.getMessage());
    }

    @Test
    void readBytesWaitsForTheWholeCount() {
        Exchange exchange = new Exchange(new ChunkPeer("ab", "c", "de"), Duration.ofSeconds(1));
        assertEquals("abcd", new String(exchange.readBytes(4, "read"), StandardCharsets.UTF_8));
        assertEquals("e", new String(exchange.readBytes(1, "read"), StandardCharsets.UTF_8));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Hands out one chunk (ISO-8859-1 text, one char per byte) per receive, then end of stream. */
    private static final class ChunkPeer implements Peer {
        private final ArrayDeque<String> chunks;

        ChunkPeer(String... chunks) {
            this.chunks = new ArrayDeque<>(List.of(chunks));
        }

        @Override
        public void send(byte[] data) {
        }

        @Override
        public void shutdownOutput() {
        }

        @Override
        public int receive(byte[] buffer, long deadline) {
            String chunk = chunks.poll();
            if (chunk == null) return -1;
            byte[] bytes = chunk.getBytes(StandardCharsets.ISO_8859_1);
            System.arraycopy(bytes, 0, buffer, 0, bytes.length);
            return bytes.length;
        }

        @Override
        public String describe() {
            return "chunks";
        }

        @Override
        public void close() {
        }
    }
}

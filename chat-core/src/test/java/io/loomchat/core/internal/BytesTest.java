package io.loomchat.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class BytesTest {

    private static int naiveIndexOf(byte[] haystack, int from, int to, byte[] needle) {
        outer:
        for (int i = from; i <= to - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    private static int naivePrefixAtEnd(byte[] haystack, int from, int to, byte[] needle) {
        for (int l = needle.length - 1; l > 0; l--) {
            if (to - from < l) continue;
            boolean match = true;
            for (int j = 0; j < l; j++) match &= haystack[to - l + j] == needle[j];
            if (match) return l;
        }
        return 0;
    }

    @Test
    void wordAtATimeSearchAgreesWithByteByByteSearchOnRandomInput() {
        Random random = new Random(42);
        for (int round = 0; round < 20_000; round++) {
            // A small alphabet, so first bytes and partial matches are frequent, including across word edges.
            byte[] haystack = new byte[random.nextInt(40)];
            for (int i = 0; i < haystack.length; i++) haystack[i] = (byte) "ab\r\n\u0080\u00ff".charAt(random.nextInt(6));
            byte[] needle = new byte[1 + random.nextInt(4)];
            for (int i = 0; i < needle.length; i++) needle[i] = (byte) "ab\r\n\u0080\u00ff".charAt(random.nextInt(6));
            int from = haystack.length == 0 ? 0 : random.nextInt(haystack.length + 1);
            int to = from + random.nextInt(haystack.length - from + 1);
            String what = Bytes.escape(haystack, from, to) + " / " + Bytes.escape(needle, 0, needle.length);
            assertEquals(naiveIndexOf(haystack, from, to, needle), Bytes.indexOf(haystack, from, to, needle), what);
            if (naiveIndexOf(haystack, from, to, needle) < 0) {
                assertEquals(naivePrefixAtEnd(haystack, from, to, needle),
                        Bytes.findPrefixAtEnd(haystack, from, to, needle), what);
            }
        }
    }

    @Test
    void findsTheDelimiterInEveryPositionOfALongBuffer() {
        byte[] crlf = {'\r', '\n'};
        for (int at = 0; at < 100; at++) {
            byte[] haystack = new byte[102];
            java.util.Arrays.fill(haystack, (byte) 'x');
            haystack[at] = '\r';
            haystack[at + 1] = '\n';
            assertEquals(at, Bytes.indexOf(haystack, 0, haystack.length, crlf));
            assertEquals(-1, Bytes.indexOf(haystack, 0, at + 1, crlf), "a delimiter cut by the end is not found");
        }
    }
}

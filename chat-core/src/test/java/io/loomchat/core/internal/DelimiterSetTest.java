package io.loomchat.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The search of several delimiters against its definition, written as plainly as possible, on random inputs. */
class DelimiterSetTest {

    /** The definition: the first place where a delimiter ends; there, the longest ending there. */
    private static long naiveFind(byte[] h, int from, int to, List<byte[]> delimiters) {
        for (int end = from + 1; end <= to; end++) {
            int best = -1;
            for (int i = 0; i < delimiters.size(); i++) {
                byte[] d = delimiters.get(i);
                int start = end - d.length;
                if (start >= from && matches(h, start, d, d.length)
                        && (best < 0 || d.length > delimiters.get(best).length)) {
                    best = i;
                }
            }
            if (best >= 0) return (long) (end - delimiters.get(best).length) << 32 | best;
        }
        return -1;
    }

    private static int naiveHeldBack(byte[] h, int from, int to, List<byte[]> delimiters) {
        int held = 0;
        for (byte[] d : delimiters) {
            for (int l = Math.min(d.length - 1, to - from); l > held; l--) {
                if (matches(h, to - l, d, l)) held = l;
            }
        }
        return held;
    }

    private static boolean matches(byte[] h, int at, byte[] d, int length) {
        for (int j = 0; j < length; j++) {
            if (h[at + j] != d[j]) return false;
        }
        return true;
    }

    @Test
    void findsWhatTheDefinitionFindsOnRandomInputs() {
        SplittableRandom random = new SplittableRandom(20_261_206L);
        String alphabet = "ab\r\n.xyz";
        for (int run = 0; run < 3000; run++) {
            List<byte[]> delimiters = new ArrayList<>();
            for (int k = 1 + random.nextInt(6); k > 0; k--) {
                byte[] d = new byte[1 + random.nextInt(4)];
                for (int j = 0; j < d.length; j++) d[j] = (byte) alphabet.charAt(random.nextInt(alphabet.length()));
                delimiters.add(d);
            }
            byte[] h = new byte[random.nextInt(40)];
            for (int j = 0; j < h.length; j++) h[j] = (byte) alphabet.charAt(random.nextInt(alphabet.length()));
            int from = h.length == 0 ? 0 : random.nextInt(h.length);
            DelimiterSet set = new DelimiterSet(delimiters);
            String what = "run " + run + ": " + set + " in \"" + new String(h, StandardCharsets.ISO_8859_1) + "\" from "
                    + from;

            long expected = naiveFind(h, from, h.length, delimiters);
            long found = set.find(h, from, h.length);
            if (expected >= 0 && found >= 0) {
                // Two equal delimiters may be listed: the same bytes at the same place either way.
                assertEquals(expected >>> 32, found >>> 32, what);
                assertEquals(new String(delimiters.get((int) expected)), new String(delimiters.get((int) found)), what);
            } else {
                assertEquals(expected, found, what);
            }
            if (found < 0) assertEquals(naiveHeldBack(h, from, h.length, delimiters), set.heldBack(h, from, h.length), what);
        }
    }
}

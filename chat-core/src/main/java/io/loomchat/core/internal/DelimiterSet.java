package io.loomchat.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Several delimiters compiled for search: finds the one that ends first in a range of bytes (the longest of those
 * that end at the same place), and the longest end of a range that begins one of them.
 *
 * <p>The search jumps between the bytes that begin a delimiter: with up to {@link #SWAR_MAX} distinct first bytes it
 * tests eight bytes at a time against each (SWAR, as {@link Bytes#indexOf}), with more it looks each byte up in a
 * 256-entry table. Only where a first byte is found does it compare the delimiters that begin with it.
 */
public final class DelimiterSet {
    /** The most distinct first bytes searched for eight bytes at a time; more use the table. */
    static final int SWAR_MAX = 3;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    private final byte[][] delimiters;
    /** For each first byte, the indexes of the delimiters beginning with it, shortest first; null if none. */
    private final int[][] byFirst = new int[256][];
    /** Whether the first bytes are few enough for the SWAR search. */
    private final boolean swar;
    /**
     * The distinct first bytes, each repeated in a long, for the SWAR search; fewer than three repeat the first,
     * so the loop tests three whatever the number.
     */
    private final long p0;
    private final long p1;
    private final long p2;
    private final int minLength;
    private final int maxLength;

    /**
     * Compiles the delimiters.
     *
     * @param delimiters the delimiters, none empty; not copied, not to be changed
     */
    public DelimiterSet(List<byte[]> delimiters) {
        this.delimiters = delimiters.toArray(new byte[0][]);
        List<List<Integer>> lists = new ArrayList<>();
        for (int i = 0; i < 256; i++) lists.add(null);
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (int i = 0; i < this.delimiters.length; i++) {
            byte[] d = this.delimiters[i];
            int first = d[0] & 0xff;
            if (lists.get(first) == null) lists.set(first, new ArrayList<>());
            lists.get(first).add(i);
            min = Math.min(min, d.length);
            max = Math.max(max, d.length);
        }
        List<Long> firsts = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            List<Integer> l = lists.get(b);
            if (l == null) continue;
            l.sort(Comparator.comparingInt(i -> this.delimiters[i].length));
            byFirst[b] = l.stream().mapToInt(Integer::intValue).toArray();
            firsts.add(b * ONES);
        }
        this.swar = firsts.size() <= SWAR_MAX;
        this.p0 = firsts.get(0);
        this.p1 = swar && firsts.size() > 1 ? firsts.get(1) : p0;
        this.p2 = swar && firsts.size() > 2 ? firsts.get(2) : p0;
        this.minLength = min;
        this.maxLength = max;
    }

    /**
     * Finds the delimiter that ends first in {@code haystack[from, to)}; of those that end at the same place, the
     * longest (the one that starts first).
     *
     * @param haystack the bytes searched
     * @param from the first index searched
     * @param to the index after the last one searched
     * @return {@code start << 32 | index}: where the delimiter starts and its index in the list; or -1
     */
    public long find(byte[] haystack, int from, int to) {
        int bestEnd = Integer.MAX_VALUE;
        long best = -1;
        int i = from;
        while (true) {
            // A delimiter starting past bestEnd - minLength cannot end before bestEnd.
            int limit = (int) Math.min(to, (long) bestEnd - minLength);
            i = nextFirstByte(haystack, i, limit);
            if (i >= limit) return best;
            for (int index : byFirst[haystack[i] & 0xff]) {
                byte[] d = delimiters[index];
                int end = i + d.length;
                if (end > to || end >= bestEnd) break;  // shortest first: the rest end later still
                if (matchesAt(haystack, i, d)) {
                    bestEnd = end;
                    best = (long) i << 32 | index;
                    break;
                }
            }
            i++;
        }
    }

    /**
     * Returns how many bytes at the end of {@code haystack[from, to)} begin a delimiter without completing it:
     * the longest such suffix. Assumes no delimiter ends in the range ({@link #find} found none).
     *
     * @param haystack the bytes whose range is searched
     * @param from the first index of the range
     * @param to the index after the range
     * @return how many bytes at the end of the range begin a delimiter, from 0 to the longest's length - 1
     */
    public int heldBack(byte[] haystack, int from, int to) {
        for (int l = Math.min(maxLength - 1, to - from); l > 0; l--) {
            int[] candidates = byFirst[haystack[to - l] & 0xff];
            if (candidates == null) continue;
            for (int index : candidates) {
                byte[] d = delimiters[index];
                if (d.length > l && regionMatches(haystack, to - l, d, l)) return l;
            }
        }
        return 0;
    }

    /** Returns the first index in {@code [i, to)} whose byte begins a delimiter, or {@code to}. */
    private int nextFirstByte(byte[] h, int i, int to) {
        if (!swar) {
            while (i < to && byFirst[h[i] & 0xff] == null) i++;
            return i;
        }
        while (i + Long.BYTES <= to) {
            long word = (long) LONGS.get(h, i);
            long x0 = word ^ p0;
            long x1 = word ^ p1;
            long x2 = word ^ p2;
            // A zero-byte test on each: each one's lowest set bit is exact, so the OR's lowest is too.
            long found = (x0 - ONES) & ~x0 | (x1 - ONES) & ~x1 | (x2 - ONES) & ~x2;
            found &= HIGHS;
            if (found != 0) return i + (Long.numberOfTrailingZeros(found) >>> 3);
            i += Long.BYTES;
        }
        while (i < to && byFirst[h[i] & 0xff] == null) i++;
        return i;
    }

    private static boolean matchesAt(byte[] haystack, int at, byte[] needle) {
        for (int j = 1; j < needle.length; j++) {
            if (haystack[at + j] != needle[j]) return false;
        }
        return true;
    }

    private static boolean regionMatches(byte[] haystack, int at, byte[] needle, int length) {
        for (int j = 0; j < length; j++) {
            if (haystack[at + j] != needle[j]) return false;
        }
        return true;
    }

    @Override
    public String toString() {
        return "DelimiterSet" + Arrays.deepToString(delimiters);
    }
}

package io.loomchat.testkit.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * One fragmentation of the client's bytes: the offsets where one read ends and the next begins, in increasing
 * order, each within {@code 1..length-1}; and where it came from, for the report.
 *
 * @param points the split offsets, ascending, without duplicates
 * @param origin how it was made: {@code "whole"}, {@code "one byte per read"}, {@code "random splits, seed 7, run 3"}
 */
public record Splits(int[] points, String origin) {
    /** Split lists longer than this are shortened when printed. */
    private static final int MAX_PRINTED = 12;

    /** Copies {@code points}, which callers build sorted and within range. */
    public Splits {
        points = points.clone();
    }

    /** Returns a copy of the split offsets. */
    @Override
    public int[] points() {
        return points.clone();
    }

    /** Returns the fragmentation of {@code sends} as written: one read per send (empty sends dropped). */
    public static Splits asWritten(List<byte[]> sends) {
        int total = sends.stream().mapToInt(s -> s.length).sum();
        TreeSet<Integer> points = new TreeSet<>();
        int offset = 0;
        for (byte[] send : sends) {
            offset += send.length;
            if (offset > 0 && offset < total) points.add(offset);
        }
        return new Splits(points.stream().mapToInt(Integer::intValue).toArray(), "as written");
    }

    /** Returns the number of reads this fragmentation makes. */
    public int reads() {
        return points.length + 1;
    }

    /** Returns this fragmentation without the split points at indexes {@code [from, to)} of {@link #points()}. */
    public Splits without(int from, int to, String newOrigin) {
        int[] kept = IntStream.concat(Arrays.stream(points, 0, from), Arrays.stream(points, to, points.length))
                .toArray();
        return new Splits(kept, newOrigin);
    }

    /** Returns {@code input} cut at the split points. */
    public List<byte[]> fragments(byte[] input) {
        List<byte[]> fragments = new ArrayList<>(points.length + 1);
        int start = 0;
        for (int point : points) {
            fragments.add(Arrays.copyOfRange(input, start, point));
            start = point;
        }
        fragments.add(Arrays.copyOfRange(input, start, input.length));
        return fragments;
    }

    /** Returns whether {@code other} splits at the same offsets. */
    public boolean sameAs(Splits other) {
        return Arrays.equals(points, other.points);
    }

    /** Describes it: {@code "2 reads, split at byte 3"}, {@code "1 read"}. */
    public String describe() {
        if (points.length == 0) return "1 read";
        String list = Arrays.stream(points).limit(MAX_PRINTED).mapToObj(Integer::toString)
                .collect(Collectors.joining(", "));
        if (points.length > MAX_PRINTED) list += ", ... (" + (points.length - MAX_PRINTED) + " more)";
        return reads() + " reads, split at byte" + (points.length == 1 ? " " : "s ") + list;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Splits s && Arrays.equals(points, s.points) && origin.equals(s.origin);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(points) * 31 + origin.hashCode();
    }

    @Override
    public String toString() {
        return describe() + " (" + origin + ")";
    }
}

package io.loomchat.testkit.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * The fragmentations a proof tries, fewest reads first: the whole input in one read, every single split point
 * (or an even sample of them for long inputs), seeded random splits, and one byte per read.
 */
public final class Candidates {
    /** Random fragmentations have at most this many split points. */
    private static final int MAX_RANDOM_SPLITS = 32;

    private Candidates() {
    }

    /**
     * How much a proof may try.
     *
     * @param maxSingleSplits single split points tried at most; all of them for shorter inputs
     * @param maxBytewise the longest input also tried one byte per read
     * @param randomRuns random fragmentations tried
     * @param maxShrinkRuns runs spent making a failing fragmentation smaller
     */
    public record Budget(int maxSingleSplits, int maxBytewise, int randomRuns, int maxShrinkRuns) {
    }

    /**
     * Returns the fragmentations of {@code length} bytes to try, fewest reads first, without {@code reference}
     * (the one the others are compared with) and without duplicates.
     */
    public static List<Splits> of(int length, Splits reference, Budget budget, long seed) {
        List<Splits> all = new ArrayList<>();
        all.add(new Splits(new int[0], "whole"));
        singleSplits(length, budget.maxSingleSplits(), all);
        random(length, budget.randomRuns(), seed, all);
        if (length >= 2 && length <= budget.maxBytewise()) {
            int[] every = new int[length - 1];
            for (int i = 0; i < every.length; i++) every[i] = i + 1;
            all.add(new Splits(every, "one byte per read"));
        }
        List<Splits> unique = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        seen.add(java.util.Arrays.toString(reference.points()));
        for (Splits splits : all) {
            if (seen.add(java.util.Arrays.toString(splits.points()))) unique.add(splits);
        }
        unique.sort(Comparator.comparingInt(Splits::reads));
        return unique;
    }

    private static void singleSplits(int length, int max, List<Splits> out) {
        int points = length - 1;
        if (points <= 0 || max <= 0) return;
        String origin = points <= max ? "every single split point" : max + " single split points of " + points;
        for (int i = 0; i < Math.min(points, max); i++) {
            // All of them, or an even sample: the i-th of max evenly spaced points in 1..length-1.
            int point = points <= max ? i + 1 : 1 + (int) ((long) i * (points - 1) / Math.max(1, max - 1));
            out.add(new Splits(new int[] {point}, origin));
        }
    }

    private static void random(int length, int runs, long seed, List<Splits> out) {
        if (length < 2) return;
        Random random = new Random(seed);
        for (int run = 1; run <= runs; run++) {
            int count = 1 + random.nextInt(Math.min(length - 1, MAX_RANDOM_SPLITS));
            TreeSet<Integer> points = new TreeSet<>();
            while (points.size() < count) points.add(1 + random.nextInt(length - 1));
            out.add(new Splits(points.stream().mapToInt(Integer::intValue).toArray(),
                    "random splits, seed " + seed + ", run " + run));
        }
    }
}

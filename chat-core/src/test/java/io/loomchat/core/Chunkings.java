package io.loomchat.core;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The ways one input is split into reads: whole, one byte per read, two and three bytes per read (the chunk
 * sizes of test_asynchat's echo server), and seeded random splits.
 */
final class Chunkings {
    /** Seeds of the random splits; fixed, so a failure names a split that can be run again. */
    static final long[] SEEDS = {1, 7, 42, 1999, 20_240_611};

    private Chunkings() {
    }

    /** One way to split the input: a name for failure messages, and the chunks, one per read. */
    record Chunking(String name, List<byte[]> chunks) {
        @Override
        public String toString() {
            return name + " " + chunks.stream().map(c -> c.length).toList();
        }
    }

    /** Returns every standard chunking of {@code input}. */
    static List<Chunking> of(byte[] input) {
        List<Chunking> all = new ArrayList<>();
        all.add(new Chunking("whole", List.of(input.clone())));
        for (int size = 1; size <= 3; size++) all.add(new Chunking(size + " per read", fixed(input, size)));
        for (long seed : SEEDS) all.add(new Chunking("seed " + seed, random(input, seed)));
        return all;
    }

    static List<Chunking> of(String input) {
        return of(input.getBytes(StandardCharsets.UTF_8));
    }

    /** Returns every split of {@code input} into two reads, at each position. */
    static List<Chunking> twoWaySplits(byte[] input) {
        List<Chunking> all = new ArrayList<>();
        for (int at = 1; at < input.length; at++) {
            List<byte[]> chunks = List.of(Arrays.copyOfRange(input, 0, at),
                    Arrays.copyOfRange(input, at, input.length));
            all.add(new Chunking("split at " + at, chunks));
        }
        return all;
    }

    /** Returns {@code input} in reads of {@code size} bytes (the last may be shorter). */
    static List<byte[]> fixed(byte[] input, int size) {
        List<byte[]> chunks = new ArrayList<>();
        for (int i = 0; i < input.length; i += size) {
            chunks.add(Arrays.copyOfRange(input, i, Math.min(input.length, i + size)));
        }
        return chunks;
    }

    /** Returns {@code input} in reads of random sizes, mostly short, sometimes up to 32 bytes. */
    static List<byte[]> random(byte[] input, long seed) {
        Random random = new Random(seed);
        List<byte[]> chunks = new ArrayList<>();
        int i = 0;
        while (i < input.length) {
            int size = 1 + random.nextInt(random.nextInt(4) == 0 ? 32 : 4);
            chunks.add(Arrays.copyOfRange(input, i, Math.min(input.length, i + size)));
            i += size;
        }
        return chunks;
    }
}

package io.loomchat.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One random run of the reader: an input, the chunks it arrives in, the session's terminator schedule and the
 * input buffer size, all made from one seed, so a failure names a run that can be made again.
 *
 * @param seed makes all the rest
 * @param inBufferSize the connection's {@link ChatOptions#inBufferSize()}
 * @param schedule the terminators the session goes through
 * @param input every byte the peer sends
 * @param chunking how the chunks were cut, for the failure message
 * @param chunkEnds where each chunk ends in the input, ascending, the last being its length
 */
record ReaderScenario(long seed, int inBufferSize, Schedule schedule, byte[] input, String chunking, int[] chunkEnds) {
    private static final int MIB = 1 << 20;
    /** Delimiters of 1 to 4 bytes from a small alphabet, so that their prefixes overlap each other and the input. */
    private static final List<String> DELIMITERS =
            List.of("\r\n", "\n", "a", "ab", "ba", "aab", "aba", "abab", "aaab", "\r\n\r\n");
    /** The most chunks of one run: many small reads of megabytes would take seconds. */
    private static final int MAX_CHUNKS = 20_000;

    /** {@return the input cut into its chunks} */
    List<byte[]> chunks() {
        List<byte[]> chunks = new ArrayList<>(chunkEnds.length);
        int from = 0;
        for (int end : chunkEnds) {
            chunks.add(Arrays.copyOfRange(input, from, end));
            from = end;
        }
        return chunks;
    }

    /** {@return the seed, buffer size, input, schedule and chunking, in a few lines} */
    String describe() {
        StringBuilder sizes = new StringBuilder("[");
        int from = 0;
        int shown = Math.min(chunkEnds.length, 12);
        for (int i = 0; i < shown; i++) {
            sizes.append(String.format("%,d", chunkEnds[i] - from)).append(i + 1 < shown ? ", " : "");
            from = chunkEnds[i];
        }
        if (shown < chunkEnds.length) sizes.append(", ... ").append(chunkEnds.length - shown).append(" more");
        sizes.append(']');
        return String.format("""
                scenario %d (run it alone: -Dloomchat.model.scenario=%d)
                  inBufferSize %,d; input %,d bytes, starting "%s"
                  schedule %s
                  chunking %s: %,d chunks %s""",
                seed, seed, inBufferSize, input.length, Received.escape(input, 0, Math.min(input.length, 40)),
                schedule, chunking, chunkEnds.length, sizes);
    }

    /**
     * Makes the scenario of {@code seed}.
     *
     * @param maxCount the largest count a schedule may hold (1 MiB; less to leave large counts out)
     */
    static ReaderScenario generate(long seed, int maxCount) {
        SplittableRandom r = new SplittableRandom(seed);
        int inBufferSize = pick(r, new int[] {25, 10, 40, 15, 10},
                () -> pick(r, new int[] {1, 1, 1, 1}, () -> 1, () -> 2, () -> 3, () -> 1 + r.nextInt(64)),
                () -> 65 + r.nextInt(4096 - 65),
                () -> 4096,
                () -> 16384,
                () -> 65536);
        Schedule schedule = schedule(r, maxCount);
        // How much input: mostly small, sometimes megabytes (enough for a count near 1 MiB); less for tiny buffers.
        int budget = pick(r, new int[] {20, 30, 35, 15},
                () -> 1 + r.nextInt(256),
                () -> 1 + r.nextInt(16 * 1024),
                () -> 1 + r.nextInt(256 * 1024),
                () -> MIB / 2 + r.nextInt(2 * MIB));
        if (inBufferSize < 64) budget = Math.min(budget, 128 * 1024);
        Body body = new Body(r);
        Input input = input(r, schedule, budget, body);
        String[] name = new String[1];
        int[] ends = chunkEnds(r, input, name);
        return new ReaderScenario(seed, inBufferSize, schedule, input.bytes(), name[0], ends);
    }

    private static Schedule schedule(SplittableRandom r, int maxCount) {
        int length = r.nextInt(4) == 0 ? 1 + r.nextInt(16) : 1 + r.nextInt(5);
        List<Terminator> entries = new ArrayList<>();
        for (int i = 0; i < length; i++) {
            boolean last = i == length - 1;
            if (last && r.nextInt(7) == 0) {
                entries.add(Terminator.none());
            } else if (r.nextInt(100) < 45) {
                entries.add(Terminator.delimiter(DELIMITERS.get(r.nextInt(DELIMITERS.size()))));
            } else {
                entries.add(Terminator.count(Math.min(maxCount, count(r))));
            }
        }
        return new Schedule(entries);
    }

    /** Counts from 1 to 1 MiB: many of 4 KiB and more, some near 1 MiB, and the edges around 4 KiB and 1 MiB. */
    private static int count(SplittableRandom r) {
        return pick(r, new int[] {15, 15, 40, 15, 7, 8},
                () -> 1 + r.nextInt(16),
                () -> 17 + r.nextInt(4096 - 17),
                () -> 4096 + r.nextInt(64 * 1024),
                () -> 64 * 1024 + r.nextInt(300 * 1024),
                () -> MIB - r.nextInt(64 * 1024),
                () -> new int[] {4095, 4096, 4097, 10_000, MIB - 1, MIB}[r.nextInt(6)]);
    }

    /** Random bytes, biased to the delimiters' bytes: densely in some runs, sparsely in others. */
    private static final class Body {
        private final SplittableRandom r;
        private final int special;

        Body(SplittableRandom r) {
            this.r = r;
            this.special = r.nextBoolean() ? 80 : 8;  // percent of bytes that are 'a', 'b', '\r' or '\n'
        }

        byte next() {
            if (r.nextInt(100) < special) return (byte) "aabbb\r\n\n".charAt(r.nextInt(8));
            return r.nextInt(4) == 0 ? (byte) r.nextInt(256) : (byte) ('c' + r.nextInt(24));
        }

        void fill(Input input, int n) {
            for (int i = 0; i < n; i++) input.add(next());
        }
    }

    /** The input being made, and where delimiters were put in it. */
    private static final class Input {
        byte[] bytes = new byte[1024];
        int length;
        /** The offsets of the delimiters put in, and their lengths. */
        final List<int[]> delimiters = new ArrayList<>();

        void add(byte b) {
            if (length == bytes.length) bytes = Arrays.copyOf(bytes, bytes.length * 2);
            bytes[length++] = b;
        }

        void addDelimiter(byte[] d) {
            delimiters.add(new int[] {length, d.length});
            for (byte b : d) add(b);
        }

        byte[] bytes() {
            return Arrays.copyOf(bytes, length);
        }
    }

    /**
     * Makes about {@code budget} bytes of messages for the schedule in turn: a count's bytes, or a body and the
     * delimiter (a body may hold the delimiter too, which only ends that message sooner). The last message is
     * cut at the budget, or, one time in three, completed.
     */
    private static Input input(SplittableRandom r, Schedule schedule, int budget, Body body) {
        Input input = new Input();
        boolean complete = r.nextInt(3) == 0;
        for (int k = 0; input.length < budget; k++) {
            Terminator t = k == 0 ? schedule.initial() : schedule.afterFound(k);
            switch (t) {
                case Terminator.Count c ->
                        body.fill(input, (int) (complete ? c.remaining() : Math.min(c.remaining(), budget - input.length)));
                case Terminator.Delimiter d -> {
                    body.fill(input, pick(r, new int[] {50, 30, 15, 5},
                            () -> r.nextInt(17), () -> r.nextInt(513), () -> r.nextInt(8193), () -> r.nextInt(80_001)));
                    input.addDelimiter(d.bytes());
                }
                case Terminator.None n -> body.fill(input, budget - input.length);
                default -> throw new IllegalArgumentException("not one of asynchat's terminators: " + t);
            }
        }
        if (!complete) input.length = Math.min(input.length, budget);
        if (input.length == 0) input.add((byte) 'x');
        input.delimiters.removeIf(d -> d[0] + d[1] > input.length);
        return input;
    }

    /** Cuts the input into chunks, one of six ways; names the way in {@code name[0]}. */
    private static int[] chunkEnds(SplittableRandom r, Input input, String[] name) {
        int length = input.length;
        List<Integer> ends = new ArrayList<>();
        switch (r.nextInt(6)) {
            case 0 -> name[0] = "one piece";
            case 1 -> {
                // Every few bytes; over 40 KiB only in windows, between large pieces.
                name[0] = "every 1-4 bytes" + (length > 40_000 ? " in windows" : "");
                int at = 0;
                while (at < length && ends.size() < MAX_CHUNKS) {
                    int window = length > 40_000 ? 1 + r.nextInt(4096) : length;
                    for (int stop = Math.min(length, at + window); at < stop; ) {
                        at = Math.min(stop, at + 1 + r.nextInt(4));
                        ends.add(at);
                    }
                    if (at < length) {
                        at = Math.min(length, at + 1 + r.nextInt(128 * 1024));
                        ends.add(at);
                    }
                }
            }
            case 2 -> {
                name[0] = "random cuts";
                int cuts = r.nextInt(4) == 0 ? r.nextInt(1000) : 1 + r.nextInt(64);
                for (int i = 0; i < cuts && length > 1; i++) ends.add(1 + r.nextInt(length - 1));
            }
            case 3 -> {
                name[0] = "large pieces";
                for (int at = 0; at < length; ) {
                    at = Math.min(length, at + 1024 + r.nextInt(256 * 1024));
                    ends.add(at);
                }
            }
            case 4 -> {
                name[0] = "cut inside the delimiters put in";
                for (int[] d : input.delimiters) {
                    if (ends.size() >= MAX_CHUNKS) break;
                    ends.add(d[1] > 1 ? d[0] + 1 + r.nextInt(d[1] - 1) : d[0] + r.nextInt(2));
                }
                for (int i = r.nextInt(8); i > 0 && length > 1; i--) ends.add(1 + r.nextInt(length - 1));
            }
            default -> {
                name[0] = "mixed sizes";
                for (int at = 0; at < length; ) {
                    int size = ends.size() > MAX_CHUNKS / 2 ? 64 * 1024 + r.nextInt(MIB) : pick(r,
                            new int[] {30, 25, 25, 20},
                            () -> 1 + r.nextInt(3), () -> 1 + r.nextInt(64), () -> 1 + r.nextInt(4096),
                            () -> 4096 + r.nextInt(200_000));
                    at = Math.min(length, at + size);
                    ends.add(at);
                }
            }
        }
        ends.add(length);
        return ends.stream().filter(e -> e > 0 && e <= length).mapToInt(Integer::intValue).sorted().distinct().toArray();
    }

    /** Calls one of {@code choices}, chosen with the given weights. */
    @SafeVarargs
    private static <T> T pick(SplittableRandom r, int[] weights, java.util.function.Supplier<T>... choices) {
        int total = Arrays.stream(weights).sum();
        int x = r.nextInt(total);
        for (int i = 0; i < weights.length; i++) {
            x -= weights[i];
            if (x < 0) return choices[i].get();
        }
        throw new AssertionError();
    }
}

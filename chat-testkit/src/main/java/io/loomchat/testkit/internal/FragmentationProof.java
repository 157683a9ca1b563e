package io.loomchat.testkit.internal;

import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * Replays the client's bytes under many fragmentations and fails with the smallest one found whose result
 * differs from the result as written (each send one read).
 *
 * <p>Candidates are tried fewest reads first (see {@link Candidates}); the first that differs is then shrunk:
 * groups of its split points, halves first, are merged back while the result still differs, as delta
 * debugging does. So the report shows a fragmentation from which no split can be removed.
 */
public final class FragmentationProof {
    private final Runner runner;
    private final Candidates.Budget budget;
    private final long seed;

    /** Returns a proof that runs on {@code runner}, within {@code budget}, with random splits from {@code seed}. */
    public FragmentationProof(Runner runner, Candidates.Budget budget, long seed) {
        this.runner = runner;
        this.budget = budget;
        this.seed = seed;
    }

    /**
     * Runs {@code sends} as written, then under every candidate fragmentation, and returns if every result is
     * the same.
     *
     * @param endInput whether the client's output ends after the last send
     * @return how many fragmentations were tried
     * @throws AssertionError with the report, at the first that differs
     */
    public int verify(List<byte[]> sends, boolean endInput) {
        byte[] input = concat(sends);
        Splits asWritten = Splits.asWritten(sends);
        Runner.Outcome reference = runner.run(asWritten.fragments(input), endInput);
        List<Splits> candidates = Candidates.of(input.length, asWritten, budget, seed);
        int tried = 0;
        for (Splits candidate : candidates) {
            tried++;
            Runner.Outcome outcome = runner.run(candidate.fragments(input), endInput);
            if (!outcome.result().equals(reference.result())) {
                Shrunk smallest = shrink(candidate, outcome, input, endInput, reference);
                throw new AssertionError(report(smallest, reference, asWritten, input, tried, endInput));
            }
        }
        return tried;
    }

    private record Shrunk(Splits splits, Runner.Outcome outcome, Splits found) {
    }

    /** Merges groups of split points back while the result still differs from the reference. */
    private Shrunk shrink(Splits failing, Runner.Outcome outcome, byte[] input, boolean endInput,
                          Runner.Outcome reference) {
        Splits current = failing;
        Runner.Outcome currentOutcome = outcome;
        int runs = 0;
        int group = Math.max(1, current.points().length / 2);
        while (group >= 1 && runs < budget.maxShrinkRuns()) {
            boolean removed = false;
            int from = 0;
            while (from < current.points().length && runs < budget.maxShrinkRuns()) {
                int to = Math.min(from + group, current.points().length);
                Splits smaller = current.without(from, to, failing.origin());
                runs++;
                Runner.Outcome smallerOutcome = runner.run(smaller.fragments(input), endInput);
                if (!smallerOutcome.result().equals(reference.result())) {
                    current = smaller;
                    currentOutcome = smallerOutcome;
                    removed = true;
                } else {
                    from = to;
                }
            }
            if (!removed) group /= 2;
        }
        return new Shrunk(current, currentOutcome, failing);
    }

    private String report(Shrunk smallest, Runner.Outcome reference, Splits asWritten, byte[] input, int tried,
                          boolean endInput) {
        Splits splits = smallest.splits();
        StringBuilder sb = new StringBuilder();
        sb.append("Fragmentation changes what the session does (").append(runner.describe()).append(", ")
                .append(input.length).append(" client bytes, ").append(tried)
                .append(tried == 1 ? " fragmentation" : " fragmentations").append(" tried).\n");
        sb.append("Smallest fragmentation found that changes it: ").append(splits.describe());
        Splits found = smallest.found();
        sb.append(" (").append(splits == found ? found.origin()
                : found.origin() + ", made smaller from " + found.describe()).append(")\n");
        sb.append("With it (> one read each, < what came back):\n")
                .append(Transcript.indent(smallest.outcome().exchange()));
        sb.append("As written (").append(asWritten.describe()).append("):\n")
                .append(Transcript.indent(reference.exchange()));
        sb.append(runner.reproduce()).append('\n');
        StringBuilder reproducer = new StringBuilder();
        for (byte[] fragment : splits.fragments(input)) {
            Transcript.appendLine(reproducer, "> ", fragment, 0, fragment.length);
        }
        if (runner.endsInput(endInput)) reproducer.append(">EOF\n");
        reproducer.append(reference.result());
        return sb.append(Transcript.indent(reproducer.toString())).toString();
    }

    private static byte[] concat(List<byte[]> sends) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] send : sends) all.writeBytes(send);
        return all.toByteArray();
    }
}

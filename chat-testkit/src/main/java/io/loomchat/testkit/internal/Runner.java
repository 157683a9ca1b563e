package io.loomchat.testkit.internal;

import java.util.List;

/** Runs the client's bytes, cut into fragments, against a session, and says what came of it. */
public interface Runner {

    /**
     * What came of one run.
     *
     * @param result what is compared between fragmentations: the output as {@code < } lines, then
     *               {@code <EOF} if the connection closed, and {@code #} lines for errors of the session
     * @param exchange what happened, for the report: each fragment as a {@code > } line and what came back
     */
    record Outcome(String result, String exchange) {
    }

    /** Sends each fragment as one read (in memory) or one flushed write (over TCP), then ends input if asked. */
    Outcome run(List<byte[]> fragments, boolean endInput);

    /** Returns whether a run ends the input, when {@code requested} or always (a socket run half-closes). */
    boolean endsInput(boolean requested);

    /** Names where runs happen: {@code "in memory"}, {@code "over TCP to 127.0.0.1:7000"}. */
    String describe();

    /** Says how a person replays the reproducing transcript printed after it. */
    String reproduce();
}

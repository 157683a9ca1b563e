package io.loomchat.testkit.internal;

import io.loomchat.core.ChatOptions;
import io.loomchat.core.SessionFactory;
import java.time.Duration;
import java.util.List;

/** Runs fragmentations against a fresh in-memory connection each: every fragment is exactly one read. */
public final class MemoryRunner implements Runner {
    private final ChatOptions options;
    private final SessionFactory factory;
    private final Duration timeout;

    /** Returns a runner of {@code factory}'s sessions with {@code options}; each step waits up to {@code timeout}. */
    public MemoryRunner(ChatOptions options, SessionFactory factory, Duration timeout) {
        this.options = options;
        this.factory = factory;
        this.timeout = timeout;
    }

    @Override
    public Outcome run(List<byte[]> fragments, boolean endInput) {
        InMemoryConnection connection = null;
        try {
            connection = InMemoryConnection.start(options, factory, timeout);
            for (byte[] fragment : fragments) connection.feed(fragment);
            if (endInput) connection.endInput();
            return new Outcome(result(connection), connection.log().render());
        } catch (AssertionError e) {
            String failure = "# the run failed: " + firstLine(e.getMessage()) + "\n";
            return new Outcome(failure, (connection == null ? "" : connection.log().render()) + failure);
        } finally {
            if (connection != null) connection.close();
        }
    }

    private static String result(InMemoryConnection connection) {
        StringBuilder sb = new StringBuilder();
        Transcript.appendLines(sb, "< ", connection.output());
        if (connection.isClosed()) sb.append("<EOF\n");
        // The class only: a message may quote the input, which differs between fragmentations by design.
        for (Throwable error : connection.errors()) {
            sb.append("# the session failed: ").append(error.getClass().getName()).append('\n');
        }
        return sb.isEmpty() ? "# no output, still open\n" : sb.toString();
    }

    static String firstLine(String message) {
        if (message == null) return "";
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }

    @Override
    public boolean endsInput(boolean requested) {
        return requested;
    }

    @Override
    public String describe() {
        return "in memory";
    }

    @Override
    public String reproduce() {
        return "To reproduce, replay this transcript with SessionHarness.start(factory).conversation()"
                + ".replay(transcript), where each > line is one read:";
    }
}

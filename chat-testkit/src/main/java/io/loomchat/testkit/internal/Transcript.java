package io.loomchat.testkit.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The transcript format: a text of {@code > } (send) and {@code < } (expect) lines, with escapes, that
 * {@code Conversation.replay} runs and failure messages print.
 *
 * <pre>
 * # comment; blank lines are ignored
 * &gt; HELO me\r\n        send these bytes (one write)
 * &lt; 250 hello\r\n      expect exactly these bytes next
 * &gt;EOF                 half-close: the client sends nothing more
 * &lt;EOF                 expect end of stream: the server closed the connection
 * </pre>
 *
 * <p>The line breaks of the file are not data: {@code \r} and {@code \n} in the data are written as escapes
 * (see {@link Escapes}). Everything after {@code "> "} or {@code "< "} is data, trailing spaces included.
 */
public final class Transcript {
    /** Data lines longer than this are split when rendered, so a message stays readable. */
    private static final int MAX_LINE_BYTES = 256;

    private Transcript() {
    }

    /** One step of a transcript, with the line it came from (1-based). */
    public sealed interface Step {
        /** Returns the line of the transcript this step came from. */
        int line();

        /** Sends {@code data}. */
        record Send(byte[] data, int line) implements Step {
        }

        /** Expects exactly {@code data} next. */
        record Expect(byte[] data, int line) implements Step {
        }

        /** Half-closes: the client's output ends. */
        record Shutdown(int line) implements Step {
        }

        /** Expects the end of the stream: the peer closed. */
        record ExpectEof(int line) implements Step {
        }
    }

    /**
     * Returns the steps of {@code text}. Consecutive {@code <} lines become one {@link Step.Expect}, so a failure
     * shows the whole reply that was expected; each {@code >} line stays one send.
     *
     * @param source names the transcript in error messages (a file name, or "transcript")
     * @throws IllegalArgumentException naming the source and line of a line that is not in the format
     */
    public static List<Step> parse(String text, String source) {
        List<Step> steps = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            int number = i + 1;
            try {
                Step step = parseLine(line, number);
                if (step != null) add(steps, step);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + " line " + number + ": " + e.getMessage(), e);
            }
        }
        return steps;
    }

    private static Step parseLine(String line, int number) {
        if (line.isBlank() || line.startsWith("#")) return null;
        if (line.strip().equals(">EOF")) return new Step.Shutdown(number);
        if (line.strip().equals("<EOF")) return new Step.ExpectEof(number);
        if (line.equals(">") || line.startsWith("> ")) return new Step.Send(data(line), number);
        if (line.equals("<") || line.startsWith("< ")) return new Step.Expect(data(line), number);
        throw new IllegalArgumentException(
                "expected \"> data\", \"< data\", \">EOF\", \"<EOF\", \"# comment\" or a blank line: " + line);
    }

    private static byte[] data(String line) {
        return Escapes.unescape(line.length() < 2 ? "" : line.substring(2));
    }

    private static void add(List<Step> steps, Step step) {
        if (step instanceof Step.Expect next && !steps.isEmpty()
                && steps.get(steps.size() - 1) instanceof Step.Expect previous) {
            byte[] both = new byte[previous.data().length + next.data().length];
            System.arraycopy(previous.data(), 0, both, 0, previous.data().length);
            System.arraycopy(next.data(), 0, both, previous.data().length, next.data().length);
            steps.set(steps.size() - 1, new Step.Expect(both, previous.line()));
        } else {
            steps.add(step);
        }
    }

    /**
     * Appends {@code data} as transcript lines starting with {@code marker} ({@code "> "} or {@code "< "}),
     * a new line after each {@code \n} and every 256 bytes.
     */
    public static void appendLines(StringBuilder sb, String marker, byte[] data) {
        int start = 0;
        for (int i = 0; i < data.length; i++) {
            if (data[i] == '\n' || i + 1 - start == MAX_LINE_BYTES) {
                appendLine(sb, marker, data, start, i + 1);
                start = i + 1;
            }
        }
        if (start < data.length) appendLine(sb, marker, data, start, data.length);
    }

    /** Appends {@code data} as exactly one transcript line starting with {@code marker}. */
    public static void appendLine(StringBuilder sb, String marker, byte[] data, int from, int to) {
        sb.append(marker).append(Escapes.escape(data, from, to)).append('\n');
    }

    /** Returns {@code text} with every line indented by two spaces, for a block inside a message. */
    public static String indent(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 64);
        for (String line : text.split("\n")) sb.append("  ").append(line).append('\n');
        return sb.toString();
    }
}

package io.loomchat.testkit.internal;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a conversation sent and received, in order, rendered in the {@link Transcript} format for failure
 * messages. Used by one thread at a time (the test's).
 */
public final class TranscriptLog {
    /** Rendered transcripts longer than this many lines lose their middle. */
    private static final int MAX_LINES = 200;
    private static final int HEAD_LINES = 40;

    private enum Kind { SENT, RECEIVED, SHUTDOWN, EOF, NOTE }

    private record Event(Kind kind, byte[] data, String note) {
        Event(Kind kind, byte[] data) {
            this(kind, data, null);
        }
    }

    private final List<Event> events = new ArrayList<>();

    /** Records bytes sent. */
    public void sent(byte[] data) {
        events.add(new Event(Kind.SENT, data.clone()));
    }

    /** Records {@code buffer[0, n)} received. */
    public void received(byte[] buffer, int n) {
        events.add(new Event(Kind.RECEIVED, Arrays.copyOf(buffer, n)));
    }

    /** Records the half-close of the client's output. */
    public void shutdown() {
        events.add(new Event(Kind.SHUTDOWN, null));
    }

    /** Records the end of the stream: the peer closed. */
    public void eof() {
        events.add(new Event(Kind.EOF, null));
    }

    /** Records a remark, rendered as a {@code #} comment line: an error of the session, say. */
    public void note(String text) {
        events.add(new Event(Kind.NOTE, null, text.replace("\n", " ").replace("\r", " ")));
    }

    /** Returns every byte sent, in order, each send as one array. */
    public List<byte[]> sends() {
        return events.stream().filter(e -> e.kind == Kind.SENT).map(e -> e.data.clone()).toList();
    }

    /** Returns whether the client half-closed its output. */
    public boolean shutDown() {
        return events.stream().anyMatch(e -> e.kind == Kind.SHUTDOWN);
    }

    /**
     * Returns the transcript: {@code > } lines for what was sent, {@code < } lines for what was received,
     * {@code >EOF} for a half-close and {@code <EOF} for the peer closing. Each send is one line, as it was one
     * write (or one read of an in-memory session); received bytes merge, with a new line after each {@code \n}.
     */
    public String render() {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < events.size()) {
            Event event = events.get(i);
            switch (event.kind) {
                case SHUTDOWN -> sb.append(">EOF\n");
                case EOF -> sb.append("<EOF\n");
                case NOTE -> sb.append("# ").append(event.note).append('\n');
                case SENT -> Transcript.appendLine(sb, "> ", event.data, 0, event.data.length);
                case RECEIVED -> {
                    ByteArrayOutputStream merged = new ByteArrayOutputStream();
                    while (i < events.size() && events.get(i).kind == Kind.RECEIVED) {
                        merged.writeBytes(events.get(i++).data);
                    }
                    Transcript.appendLines(sb, "< ", merged.toByteArray());
                    continue;
                }
            }
            i++;
        }
        return sb.isEmpty() ? "# nothing sent or received yet\n" : shorten(sb.toString());
    }

    private static String shorten(String transcript) {
        String[] lines = transcript.split("\n");
        if (lines.length <= MAX_LINES) return transcript;
        int tail = MAX_LINES - HEAD_LINES;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < HEAD_LINES; i++) sb.append(lines[i]).append('\n');
        sb.append("# ... ").append(lines.length - MAX_LINES).append(" lines left out ...\n");
        for (int i = lines.length - tail; i < lines.length; i++) sb.append(lines[i]).append('\n');
        return sb.toString();
    }
}

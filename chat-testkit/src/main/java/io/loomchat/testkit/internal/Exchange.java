package io.loomchat.testkit.internal;

import io.loomchat.core.internal.Bytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The engine of a conversation: sends, and waits for received bytes to satisfy each expectation, failing with
 * a message that shows the whole exchange so far. Each step fails as soon as the bytes received cannot
 * satisfy it any more, when the peer closes first, or when nothing more arrives before the timeout.
 */
public final class Exchange implements AutoCloseable {
    /** The most characters of one part of a failure message (what was expected, received, a transcript line). */
    static final int MAX_PART = 2000;
    /** The most characters of one transcript line in a failure message, and the lines kept at each end. */
    private static final int MAX_LINE = 500;
    private static final int TRANSCRIPT_ENDS = 12;
    /** The bytes shown on each side of the first difference in a failed {@code expect}. */
    private static final int AROUND = 300;
    /** How many bytes one step has waited on: the check returns this to wait for more. */
    private static final int MORE = -1;

    private final Peer peer;
    private final TranscriptLog log = new TranscriptLog();
    private final byte[] chunk = new byte[8192];
    /** Received bytes no step has consumed yet. */
    private byte[] pending = new byte[1024];
    private int pendingLength;
    private boolean eof;
    private Duration timeout;
    private int step;

    /** A condition on the pending bytes: the count it consumes once met, or {@link #MORE}; throws if failed. */
    private interface Check {
        int test();
    }

    /** Starts an exchange with {@code peer}, each step waiting at most {@code timeout}. */
    public Exchange(Peer peer, Duration timeout) {
        this.peer = peer;
        this.timeout = timeout;
    }

    /** Sets how long each later step waits. */
    public void timeout(Duration timeout) {
        this.timeout = timeout;
    }

    /** Returns the peer. */
    public Peer peer() {
        return peer;
    }

    /** Sends {@code data}; fails (with the transcript) if the peer cannot take it. */
    public void send(byte[] data, String what) {
        step++;
        log.sent(data);
        try {
            peer.send(data);
        } catch (IOException | RuntimeException e) {
            throw failure(what, "to send " + Escapes.quote(data), "sending failed: " + e);
        }
    }

    /** Half-closes the output. */
    public void shutdownOutput(String what) {
        step++;
        log.shutdown();
        try {
            peer.shutdownOutput();
        } catch (IOException | RuntimeException e) {
            throw failure(what, "to half-close", "half-closing failed: " + e);
        }
    }

    /** Waits for exactly {@code expected} next, failing at the first byte that differs. */
    public void expect(byte[] expected, String what) {
        await(what, Escapes.quote(expected), () -> {
            int n = Math.min(pendingLength, expected.length);
            int diff = Arrays.mismatch(pending, 0, n, expected, 0, n);
            if (diff >= 0) {
                // Around the difference only: a large exchange would otherwise print all of itself, twice.
                throw failure(what, Escapes.quoteAround(expected, diff, AROUND), "the bytes differ at index " + diff,
                        Escapes.quoteAround(Arrays.copyOf(pending, pendingLength), diff, AROUND));
            }
            return pendingLength >= expected.length ? expected.length : MORE;
        });
    }

    /** Waits for a line ending with {@code terminator} and checks that it is {@code line}. */
    public void expectLine(byte[] line, byte[] terminator, String what) {
        String expected = "a line " + Escapes.quote(line) + " ending " + Escapes.quote(terminator);
        await(what, expected, () -> {
            int end = indexOf(terminator);
            if (end < 0) return MORE;
            if (!Arrays.equals(pending, 0, end, line, 0, line.length)) {
                throw failure(what, expected, "a different line arrived");
            }
            return end + terminator.length;
        });
    }

    /** Waits for a line ending with {@code terminator}; returns it without the terminator. */
    public byte[] readLine(byte[] terminator, String what) {
        byte[] line = await(what, "a line ending " + Escapes.quote(terminator), () -> {
            int end = indexOf(terminator);
            return end < 0 ? MORE : end + terminator.length;
        });
        return Arrays.copyOf(line, line.length - terminator.length);
    }

    /** Waits for {@code count} bytes and returns them. */
    public byte[] readBytes(int count, String what) {
        return await(what, count + " bytes", () -> pendingLength >= count ? count : MORE);
    }

    /**
     * Waits until the received text (UTF-8) starts with a match of {@code pattern}, consuming the match; fails
     * as soon as no more input could make it match.
     */
    public void expectMatch(Pattern pattern, String what) {
        String expected = "a match of /" + pattern.pattern() + "/ (UTF-8, at the start of what arrives)";
        await(what, expected, () -> {
            String text = decodeValidPrefix();
            Matcher matcher = pattern.matcher(text);
            if (matcher.lookingAt()) return text.substring(0, matcher.end()).getBytes(StandardCharsets.UTF_8).length;
            if (!matcher.hitEnd() || eof) throw failure(what, expected, "what arrived does not match");
            return MORE;
        });
    }

    /** Waits for the end of the stream, failing if anything else arrives first. */
    public void expectEof(String what) {
        String expected = "end of stream (the peer closing the connection)";
        await(what, expected, () -> {
            if (pendingLength > 0) throw failure(what, expected, "bytes arrived instead");
            return eof ? 0 : MORE;
        });
    }

    /** Runs one step: receives until {@code check} is met, and returns the bytes it consumed. */
    private byte[] await(String what, String expected, Check check) {
        step++;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            int consumed = check.test();
            if (consumed >= 0) return consume(consumed);
            if (eof) throw failure(what, expected, "the peer closed the connection");
            receive(deadline, what, expected);
        }
    }

    private void receive(long deadline, String what, String expected) {
        int n;
        try {
            n = peer.receive(chunk, deadline);
        } catch (IOException | RuntimeException e) {
            throw failure(what, expected, "receiving failed: " + e);
        }
        if (n == 0) throw failure(what, expected, "nothing more arrived within " + Durations.text(timeout));
        if (n < 0) {
            eof = true;
            log.eof();
            return;
        }
        if (pendingLength + n > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pendingLength + n, 2 * pending.length));
        }
        System.arraycopy(chunk, 0, pending, pendingLength, n);
        pendingLength += n;
        log.received(chunk, n);
    }

    private byte[] consume(int count) {
        byte[] taken = Arrays.copyOf(pending, count);
        System.arraycopy(pending, count, pending, 0, pendingLength - count);
        pendingLength -= count;
        return taken;
    }

    private int indexOf(byte[] needle) {
        return Bytes.indexOf(pending, 0, pendingLength, needle);
    }

    /** Decodes the longest prefix of the pending bytes that is valid UTF-8, so a match maps back to bytes. */
    private String decodeValidPrefix() {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer text = CharBuffer.allocate(pendingLength);
        decoder.decode(ByteBuffer.wrap(pending, 0, pendingLength), text, true);
        return text.flip().toString();
    }

    /** Returns the failure of step {@code what}: why, what was expected and received, and the transcript. */
    private AssertionError failure(String what, String expected, String reason) {
        return failure(what, expected, reason,
                pendingLength == 0 ? "nothing" : Escapes.quote(Arrays.copyOf(pending, pendingLength)));
    }

    /**
     * As {@link #failure(String, String, String)}, with what was received as given. Each part is cut to
     * {@link #MAX_PART} characters, each transcript line to {@link #MAX_LINE}, and a long transcript to its first
     * and last {@link #TRANSCRIPT_ENDS} lines: head, tail, and how much was left out.
     */
    private AssertionError failure(String what, String expected, String reason, String received) {
        StringBuilder sb = new StringBuilder();
        sb.append(Escapes.cut(what, MAX_PART)).append(" failed (step ").append(step).append(", talking to ")
                .append(peer.describe()).append("): ").append(reason).append('\n');
        sb.append("  expected: ").append(Escapes.cut(expected, MAX_PART)).append('\n');
        sb.append("  received: ").append(Escapes.cut(received, MAX_PART));
        sb.append(eof ? ", then end of stream\n" : "\n");
        StringBuilder transcript = new StringBuilder();
        java.util.List<String> lines = log.render().lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.size() > 2 * TRANSCRIPT_ENDS && i == TRANSCRIPT_ENDS) {
                transcript.append("…(").append(lines.size() - 2 * TRANSCRIPT_ENDS).append(" lines left out)…\n");
                i = lines.size() - TRANSCRIPT_ENDS;
            }
            transcript.append(Escapes.cut(lines.get(i), MAX_LINE)).append('\n');
        }
        sb.append("transcript so far (> sent, < received):\n").append(Transcript.indent(transcript.toString()));
        String diagnostics = peer.diagnostics();
        if (!diagnostics.isEmpty()) sb.append(diagnostics);
        return new AssertionError(sb.toString());
    }

    /** Returns the transcript of the exchange so far. */
    public String transcript() {
        return log.render();
    }

    /** Returns the log of the exchange so far. */
    public TranscriptLog log() {
        return log;
    }

    /** Closes the connection to the peer. */
    @Override
    public void close() {
        peer.close();
    }
}

package io.loomchat.testkit;

import io.loomchat.server.ChatServer;
import io.loomchat.testkit.internal.Durations;
import io.loomchat.testkit.internal.Escapes;
import io.loomchat.testkit.internal.Exchange;
import io.loomchat.testkit.internal.Peer;
import io.loomchat.testkit.internal.SocketPeer;
import io.loomchat.testkit.internal.Transcript;
import io.loomchat.testkit.internal.TranscriptLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A scripted client conversation: sends bytes and expects replies, over a socket or with an in-memory session.
 *
 * <p>Each {@code expect} step waits at most the {@linkplain #timeout timeout} (5 seconds unless set) and fails
 * with an {@link AssertionError} as soon as what arrived cannot satisfy it: different bytes, the peer closing,
 * or nothing more in time. The message shows what was expected, what arrived, and the whole exchange so far in
 * the transcript format, with control characters escaped:
 * <pre>
 * expect("hello\r\n") failed (step 2, talking to 127.0.0.1:41235): the bytes differ at index 3
 *   expected: "hello\r\n"
 *   received: "help\r\n"
 * transcript so far (&gt; sent, &lt; received):
 *   &gt; help\r\n
 *   &lt; help\r\n
 * </pre>
 *
 * {@snippet :
 * try (ChatServer server = ChatServer.listen(0, Echo::new);
 *      Conversation client = Conversation.connect(server)) {
 *     client.send("hello\r\n").expect("hello\r\n")
 *           .shutdownOutput().expectClosed();
 * }
 * }
 *
 * <p>A conversation is used by one thread at a time. Over a socket, each send is one flushed write with
 * TCP_NODELAY. With a {@link SessionHarness#conversation() session in memory}, each send is one read of the
 * session's connection and returns once the session has dispatched it.
 */
public final class Conversation implements AutoCloseable {
    /** How long each step waits unless {@link #timeout} says otherwise: 5 seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private final Exchange exchange;
    private byte[] lineTerminator = {'\r', '\n'};

    Conversation(Peer peer) {
        this.exchange = new Exchange(peer, DEFAULT_TIMEOUT);
    }

    /**
     * Connects to {@code port} on 127.0.0.1.
     *
     * @param port the TCP port a server listens on at 127.0.0.1
     * @return a conversation over the new connection, whose steps wait 5 seconds unless {@link #timeout} is set
     * @throws UncheckedIOException if the connection cannot be made within 5 seconds
     */
    public static Conversation connect(int port) {
        return connect(InetAddress.getLoopbackAddress().getHostAddress(), port);
    }

    /**
     * Connects to {@code host:port}: any TCP server, loomchat or not.
     *
     * @param host the host name or IP address of the server
     * @param port the TCP port the server listens on
     * @return a conversation over the new connection, whose steps wait 5 seconds unless {@link #timeout} is set
     * @throws UncheckedIOException if the connection cannot be made within 5 seconds
     */
    public static Conversation connect(String host, int port) {
        Objects.requireNonNull(host, "host");
        try {
            return new Conversation(SocketPeer.connect(host, port, DEFAULT_TIMEOUT));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot connect to " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /**
     * Connects to {@code server}, through the loopback address if it listens on every address.
     *
     * @param server a running loomchat server, whose address and port are used
     * @return a conversation over the new connection, whose steps wait 5 seconds unless {@link #timeout} is set
     * @throws UncheckedIOException if the connection cannot be made within 5 seconds
     */
    public static Conversation connect(ChatServer server) {
        InetSocketAddress address = Objects.requireNonNull(server, "server").address();
        InetAddress host = address.getAddress().isAnyLocalAddress()
                ? InetAddress.getLoopbackAddress() : address.getAddress();
        return connect(host.getHostAddress(), address.getPort());
    }

    /**
     * Sets how long each later step waits for what it expects.
     *
     * @param timeout the longest each step waits; positive
     * @return this conversation, for chaining
     * @throws IllegalArgumentException if {@code timeout} is not positive
     */
    public Conversation timeout(Duration timeout) {
        exchange.timeout(Durations.positive(Objects.requireNonNull(timeout, "timeout"), "timeout"));
        return this;
    }

    /**
     * Sets the terminator of lines for {@link #sendLine}, {@link #expectLine} and {@link #readLine}; default
     * {@code "\r\n"}, as in most internet protocols.
     *
     * @param terminator the characters that end a line, encoded as UTF-8; not empty
     * @return this conversation, for chaining
     * @throws IllegalArgumentException if {@code terminator} is empty
     */
    public Conversation lineTerminator(String terminator) {
        if (Objects.requireNonNull(terminator, "terminator").isEmpty()) {
            throw new IllegalArgumentException("empty line terminator");
        }
        this.lineTerminator = utf8(terminator);
        return this;
    }

    /**
     * Sends {@code text} encoded as UTF-8, in one write.
     *
     * @param text the characters to send, control characters included
     * @return this conversation, for chaining
     */
    public Conversation send(String text) {
        exchange.send(utf8(text), "send(" + quote(text) + ")");
        return this;
    }

    /**
     * Sends {@code bytes} in one write.
     *
     * @param bytes the bytes to send; copied, so the caller may reuse the array
     * @return this conversation, for chaining
     */
    public Conversation send(byte[] bytes) {
        byte[] copy = Objects.requireNonNull(bytes, "bytes").clone();
        exchange.send(copy, "send(" + Escapes.quote(copy) + ")");
        return this;
    }

    /**
     * Sends {@code line} encoded as UTF-8 and the line terminator, in one write.
     *
     * @param line the text of the line, without its terminator
     * @return this conversation, for chaining
     */
    public Conversation sendLine(String line) {
        byte[] text = utf8(line);
        byte[] bytes = new byte[text.length + lineTerminator.length];
        System.arraycopy(text, 0, bytes, 0, text.length);
        System.arraycopy(lineTerminator, 0, bytes, text.length, lineTerminator.length);
        exchange.send(bytes, "sendLine(" + quote(line) + ")");
        return this;
    }

    /**
     * Expects exactly {@code text} (UTF-8) next; fails at the first byte that differs.
     *
     * @param text the characters the peer must send next, terminator included
     * @return this conversation, for chaining
     */
    public Conversation expect(String text) {
        exchange.expect(utf8(text), "expect(" + quote(text) + ")");
        return this;
    }

    /**
     * Expects exactly {@code bytes} next; fails at the first byte that differs.
     *
     * @param bytes the bytes the peer must send next; copied, so the caller may reuse the array
     * @return this conversation, for chaining
     */
    public Conversation expect(byte[] bytes) {
        byte[] copy = Objects.requireNonNull(bytes, "bytes").clone();
        exchange.expect(copy, "expect(" + Escapes.quote(copy) + ")");
        return this;
    }

    /**
     * Expects the next line to be {@code line}: waits for the line terminator, then compares the whole line.
     *
     * @param line the text the next line must have, without its terminator
     * @return this conversation, for chaining
     */
    public Conversation expectLine(String line) {
        exchange.expectLine(utf8(line), lineTerminator, "expectLine(" + quote(line) + ")");
        return this;
    }

    /**
     * Expects what arrives next, read as UTF-8, to start with a match of {@code regex}, and consumes the match.
     * Like pexpect, it takes the first match it sees, so end the pattern with the terminator
     * ({@code "\\d+ bytes\r\n"}) lest {@code \d+} match only the digits that have arrived so far.
     *
     * @param regex a {@link Pattern} that what arrives next must start with a match of
     * @return this conversation, for chaining
     * @throws java.util.regex.PatternSyntaxException if {@code regex} is not a regular expression
     */
    public Conversation expectMatch(String regex) {
        exchange.expectMatch(Pattern.compile(regex), "expectMatch(/" + regex + "/)");
        return this;
    }

    /**
     * Expects the end of the stream: the peer closes the connection (or its output) with nothing more sent.
     *
     * @return this conversation, for chaining
     */
    public Conversation expectClosed() {
        exchange.expectEof("expectClosed()");
        return this;
    }

    /**
     * Reads the next line, up to the line terminator, and returns it as UTF-8 text without the terminator.
     *
     * @return the line's text, empty for an empty line
     */
    public String readLine() {
        return new String(exchange.readLine(lineTerminator, "readLine()"), StandardCharsets.UTF_8);
    }

    /**
     * Reads exactly {@code count} bytes and returns them.
     *
     * @param count how many bytes to read; zero returns an empty array at once
     * @return a new array of the {@code count} bytes, in the order they arrived
     * @throws IllegalArgumentException if {@code count} is negative
     */
    public byte[] readBytes(int count) {
        if (count < 0) throw new IllegalArgumentException("count < 0: " + count);
        return exchange.readBytes(count, "readBytes(" + count + ")");
    }

    /**
     * Half-closes: tells the peer nothing more will be sent, as {@code Socket.shutdownOutput()} does.
     *
     * @return this conversation, for chaining
     */
    public Conversation shutdownOutput() {
        exchange.shutdownOutput("shutdownOutput()");
        return this;
    }

    /**
     * Runs the steps of a transcript: {@code > } lines are sent, {@code < } lines expected, {@code >EOF}
     * half-closes and {@code <EOF} expects the end of the stream. See {@code docs/testing.md} for the format.
     *
     * @param transcript the steps, one a line, as {@link #transcript()} writes them
     * @return this conversation, for chaining
     * @throws IllegalArgumentException if {@code transcript} is not in the transcript format
     */
    public Conversation replay(String transcript) {
        return run(Transcript.parse(Objects.requireNonNull(transcript, "transcript"), "transcript"), "transcript");
    }

    /**
     * Runs the steps of a transcript file (UTF-8); see {@link #replay(String)}.
     *
     * @param transcriptFile the file to run, whose name failures cite with the line number
     * @return this conversation, for chaining
     * @throws UncheckedIOException if the file cannot be read
     * @throws IllegalArgumentException if it is not in the transcript format
     */
    public Conversation replay(Path transcriptFile) {
        return replay(readTranscript(transcriptFile), transcriptFile.getFileName().toString());
    }

    /** Runs the steps of transcript {@code text}, naming it {@code source} in failures. */
    Conversation replay(String text, String source) {
        return run(Transcript.parse(text, source), source);
    }

    private Conversation run(List<Transcript.Step> steps, String source) {
        for (Transcript.Step step : steps) {
            String where = source + " line " + step.line();
            switch (step) {
                case Transcript.Step.Send send ->
                        exchange.send(send.data(), where + " (> " + shorten(send.data()) + ")");
                case Transcript.Step.Expect expect ->
                        exchange.expect(expect.data(), where + " (< " + shorten(expect.data()) + ")");
                case Transcript.Step.Shutdown shutdown -> exchange.shutdownOutput(where + " (>EOF)");
                case Transcript.Step.ExpectEof eof -> exchange.expectEof(where + " (<EOF)");
            }
        }
        return this;
    }

    /**
     * Returns the exchange so far in the transcript format: what was sent and received, in order, with control
     * characters escaped.
     *
     * @return the steps so far, one a line, {@code > } for sent and {@code < } for received; replayable
     */
    public String transcript() {
        return exchange.transcript();
    }

    /** Returns the log of the exchange, for {@link Fragmentation}. */
    TranscriptLog log() {
        return exchange.log();
    }

    /** Closes the connection (an in-memory session's too). */
    @Override
    public void close() {
        exchange.close();
    }

    @Override
    public String toString() {
        return "Conversation[" + exchange.peer().describe() + "]";
    }

    static String readTranscript(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read transcript " + file + ": " + e.getMessage(), e);
        }
    }

    private static byte[] utf8(String text) {
        return Objects.requireNonNull(text, "text").getBytes(StandardCharsets.UTF_8);
    }

    private static String quote(String text) {
        return Escapes.quote(utf8(text));
    }

    private static String shorten(byte[] data) {
        String escaped = Escapes.escape(data);
        return escaped.length() <= 60 ? escaped : escaped.substring(0, 57) + "...";
    }
}

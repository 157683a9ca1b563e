package io.loomchat.testkit;

import io.loomchat.core.ChatOptions;
import io.loomchat.core.SessionFactory;
import io.loomchat.core.Terminator;
import io.loomchat.testkit.internal.InMemoryConnection;
import io.loomchat.testkit.internal.SessionPeer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Runs a session without a socket: the test feeds its input and reads what it pushed.
 *
 * <p>The session runs in a real loomchat connection over in-memory streams, so the threading is a socket's:
 * its callbacks run on the connection's virtual thread ({@code loomchat-conn-N}), one at a time, and the pump
 * ({@code loomchat-pump-N}) writes its output and drains its producers. Each {@link #feed} is exactly one read
 * of the connection, and returns only when the session has dispatched it and the pump has written everything
 * queued meanwhile; so a synchronous session needs no sleeps and no waiting in the test.
 *
 * {@snippet :
 * try (SessionHarness harness = SessionHarness.start(Echo::new)) {
 *     harness.feed("hel");                       // half a line: nothing yet
 *     assertEquals("", harness.takeOutput());
 *     harness.feed("lo\r\n");
 *     assertEquals("> hel\n> lo\\r\\n\n< hello\\r\\n\n", harness.transcript());
 *     assertEquals(Terminator.delimiter("\r\n"), harness.terminator());
 * }
 * }
 *
 * <p>A harness is driven by one thread at a time. A step that waits more than 5 seconds for the session
 * (a callback or a producer that blocks) fails with an {@link AssertionError} showing where the connection
 * thread is.
 */
public final class SessionHarness implements AutoCloseable {
    private final InMemoryConnection connection;
    /** The output already returned by {@link #takeOutput()}. */
    private int taken;

    private SessionHarness(InMemoryConnection connection) {
        this.connection = connection;
    }

    /**
     * Creates a session through {@code factory} with the default options, and returns once it waits for input
     * with anything it pushed on creation (a greeting) written.
     *
     * @param factory creates the session under test
     * @return a harness running the session; closing it closes the session's connection
     */
    public static SessionHarness start(SessionFactory factory) {
        return start(ChatOptions.defaults(), factory);
    }

    /**
     * Creates a session through {@code factory} with {@code options}; see {@link #start(SessionFactory)}.
     *
     * @param options the buffer sizes, limits and timeouts the session's connection runs with
     * @param factory creates the session under test
     * @return a harness running the session; closing it closes the session's connection
     */
    public static SessionHarness start(ChatOptions options, SessionFactory factory) {
        return new SessionHarness(InMemoryConnection.start(options, factory, Conversation.DEFAULT_TIMEOUT));
    }

    /**
     * Hands {@code text}, encoded as UTF-8, to the session as one read; returns when it is dispatched and the
     * output it caused is written. Does nothing more once the connection is closed.
     *
     * @param text the input of one read, control characters and terminators included
     * @return this harness, for chaining
     * @throws IllegalStateException after {@link #endInput()}
     */
    public SessionHarness feed(String text) {
        return feed(Objects.requireNonNull(text, "text").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Hands {@code bytes} to the session as one read; see {@link #feed(String)}.
     *
     * @param bytes the input of one read
     * @return this harness, for chaining
     * @throws IllegalStateException after {@link #endInput()}
     */
    public SessionHarness feed(byte[] bytes) {
        connection.feed(Objects.requireNonNull(bytes, "bytes"));
        return this;
    }

    /**
     * Ends the input, as a client's half-close does, and returns once the connection has written the queued
     * output and closed: what loomchat does at the end of a connection's input.
     *
     * @return this harness, for chaining
     */
    public SessionHarness endInput() {
        connection.endInput();
        return this;
    }

    /**
     * Returns every byte the session's connection has written so far.
     *
     * @return a copy of the output from its first byte, whatever {@link #takeOutput()} has returned
     */
    public byte[] output() {
        return connection.output();
    }

    /**
     * Returns the output written since the previous call, decoded as UTF-8.
     *
     * @return the new output's text; empty if nothing was written since
     */
    public String takeOutput() {
        byte[] all = connection.output();
        byte[] news = Arrays.copyOfRange(all, taken, all.length);
        taken = all.length;
        return new String(news, StandardCharsets.UTF_8);
    }

    /**
     * Returns the session's current terminator, as {@code ChatChannel.getTerminator()} does.
     *
     * @return the terminator the next input will be split by
     */
    public Terminator terminator() {
        return connection.channel().getTerminator();
    }

    /**
     * Returns whether the session asked to close: it called {@code closeWhenDone()} or {@code close()}.
     *
     * @return {@code true} once the session asked to close, even if the connection is still writing
     */
    public boolean closeRequested() {
        return !connection.channel().isOpen();
    }

    /**
     * Returns whether the connection has closed and the session's {@code closed()} has returned.
     *
     * @return {@code true} once the session is finished; no later input reaches it
     */
    public boolean isClosed() {
        return connection.isClosed();
    }

    /**
     * Returns the errors the session's {@code handleError} was given, oldest first.
     *
     * @return an unmodifiable copy of the errors so far; empty if there were none
     */
    public List<Throwable> errors() {
        return connection.errors();
    }

    /**
     * Returns a conversation with this session, which sees its output from the start; each send is one
     * {@link #feed}. Closing the conversation closes the session's connection.
     *
     * @return a new conversation whose sends feed this session and whose expectations read its output
     */
    public Conversation conversation() {
        return new Conversation(new SessionPeer(connection, "an in-memory session"));
    }

    /**
     * Returns the exchange so far in the transcript format: each read fed as a {@code > } line, the output it
     * caused as {@code < } lines, {@code <EOF} once closed, and the session's errors as {@code #} comments.
     *
     * @return the steps so far, one a line, which {@link Conversation#replay(String)} can run again
     */
    public String transcript() {
        return connection.log().render();
    }

    /** Closes the connection now and waits (up to 5 seconds) for the session's {@code closed()} to return. */
    @Override
    public void close() {
        connection.close();
    }

    @Override
    public String toString() {
        return "SessionHarness[" + connection.channel() + "]";
    }
}

package io.loomchat.core;

import io.loomchat.core.internal.Errors;

/**
 * The protocol side of one connection: receives input split by the channel's terminator.
 *
 * <p>This is asynchat's {@code async_chat} subclass contract. The channel reads the connection and calls
 * {@link #collectIncomingData} with the bytes before the terminator (in one or more pieces, never an empty
 * one), then {@link #foundTerminator} when the terminator is seen. A session usually keeps the channel it
 * was created with, to push replies and to change the terminator.
 *
 * <p>Threading: every method of a session is called on the connection's virtual thread, one at a time, so
 * session code needs no locks of its own. Blocking in a callback is allowed (it is a virtual thread) and
 * pauses reading from this connection only.
 *
 * {@snippet :
 * final class Echo implements ChatSession {
 *     private final ChatChannel channel;
 *     private final ByteArrayOutputStream line = new ByteArrayOutputStream();
 *
 *     Echo(ChatChannel channel) {
 *         this.channel = channel;
 *         channel.setTerminator("\n");
 *     }
 *
 *     @Override public void collectIncomingData(byte[] data) { line.writeBytes(data); }
 *
 *     @Override public void foundTerminator() {
 *         channel.push(line.toByteArray());
 *         channel.push("\n");
 *         line.reset();
 *     }
 * }
 * }
 */
public interface ChatSession {

    /**
     * Receives input that came before the terminator. Mirrors asynchat's {@code collect_incoming_data}.
     *
     * <p>The array is the session's to keep. It is never empty. How the bytes of one message are split into
     * calls depends on how they arrived and may differ from Python's; the bytes between two
     * {@link #foundTerminator} calls do not.
     *
     * @param data the bytes read, never empty
     */
    void collectIncomingData(byte[] data);

    /**
     * Signals that the terminator was found: the delimiter was read (and dropped), or the count was reached.
     * Mirrors asynchat's {@code found_terminator}. A terminator set here applies at once, to the input already
     * buffered.
     */
    void foundTerminator();

    /**
     * Called once, after the session was created and before any input is dispatched. Does nothing by default.
     */
    default void opened() {
    }

    /**
     * Called exactly once when the connection has closed, whatever closed it: the peer, {@link
     * ChatChannel#close()}, {@link ChatChannel#closeWhenDone()}, an error, or the server shutting down. Does
     * nothing by default.
     *
     * <p>Bytes collected since the last {@link #foundTerminator} are an unterminated tail; a partial delimiter
     * held back at the end of the input is never collected. Pushes from here are not written.
     */
    default void closed() {
    }

    /**
     * Called when the server is closing gracefully, before this connection's queued output is written and it is
     * closed: push a goodbye here ({@code 421 closing} in SMTP, a notice in a chat room). Does nothing by
     * default. Input is no longer read; the server waits for the output up to its drain timeout.
     *
     * @param channel the channel of this session
     */
    default void serverClosing(ChatChannel channel) {
    }

    /**
     * Handles an exception thrown by this session's callbacks or by one of its producers, or a limit or framing
     * rule that the peer broke. Mirrors asynchat's {@code handle_error}.
     *
     * <p>The default logs the error at WARN with the remote address and closes the channel. An override that
     * does not close the channel keeps the connection going (as in asynchat); the input or producer that failed
     * is skipped. After a broken limit ({@link ChatLimitException}) or framing rule ({@link ChatProtocolException})
     * no more input is dispatched: what the hook pushes is written, then the connection closes (as after
     * {@link ChatChannel#closeWhenDone()}), so a session can answer in its protocol before it goes.
     *
     * <p>Called on the connection's thread, except for a producer's exception, which is reported on the pump
     * thread that ran the producer.
     *
     * @param channel the channel of this session
     * @param error what was thrown
     */
    default void handleError(ChatChannel channel, Throwable error) {
        Errors.logAndClose(channel, error);
    }
}

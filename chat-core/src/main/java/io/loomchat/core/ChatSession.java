package io.loomchat.core;

import io.loomchat.core.internal.Errors;
import java.util.Arrays;

/**
 * The protocol side of one connection: receives input split by the channel's terminator.
 *
 * <p>This is asynchat's {@code async_chat} subclass contract. The channel reads the connection and calls
 * {@link #collectIncomingData} with the bytes before the terminator (in one or more pieces, never an empty
 * one), then {@link #foundTerminator} when the terminator is seen. A session usually keeps the channel it
 * was created with, to push replies and to change the terminator.
 *
 * <p>Threading: every method of a session is called on the connection's virtual thread, one at a time, so
 * session code needs no locks of its own. (An {@link #idle} event that comes while that thread waits for input
 * runs on a thread of its own, still never at the same time as another callback.) Blocking in a callback is allowed (it is a virtual thread) and
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
     * Receives input that came before the terminator, as a range of the channel's own input buffer: the form of
     * {@link #collectIncomingData(byte[])} for sessions that parse in place and keep nothing of the bytes but
     * what they copy out (a number in a header, a command name), so the channel need not allocate and fill an
     * array for each piece.
     *
     * <p>The channel passes input here when it lies in its buffer, and to {@link #collectIncomingData(byte[])}
     * when it was read into an array of its own (a long count, read whole), which the session may keep. Either
     * way the bytes are the same as asynchat's: which call gets which piece is only a matter of how they arrived.
     *
     * <p>The range is valid during the call only: the channel reads the next input into the same array. Read
     * {@code buffer[offset]} to {@code buffer[offset + length - 1]}, never anything else in it, and never write to
     * it. {@code length} is never 0.
     *
     * <p>The default copies the range into a new array and calls {@link #collectIncomingData(byte[])}, so a
     * session that overrides only that one sees exactly asynchat's contract.
     *
     * @param buffer the channel's input buffer; read only the range, only during the call
     * @param offset where the bytes start
     * @param length how many bytes, at least 1
     */
    default void collectIncomingData(byte[] buffer, int offset, int length) {
        collectIncomingData(Arrays.copyOfRange(buffer, offset, offset + length));
    }

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
     * Called when the peer ended its input (end of stream, such as a client that shut down its output), before the
     * connection closes: answer here (a summary, a last reply); what is pushed is written, then the connection
     * closes. Does nothing by default. Not called when the input ended for another reason: a broken limit or
     * timeout ({@link #handleError}), the server closing ({@link #serverClosing}), or a close.
     *
     * <p>{@code tail} is the input read but never passed to {@link #collectIncomingData}. Since the reader passes
     * on everything it reads before it waits for more, that is at most the start of a delimiter held back at the
     * end of the input (a {@code "\r"} that the peer's {@code "\n"} never followed, under {@code "\r\n"}); under
     * a count or no terminator it is empty. The last message left unterminated is what was collected since the
     * last {@link #foundTerminator}, followed by {@code tail}. asynchat dropped that held-back prefix silently.
     *
     * <p>After {@link ChatChannel#shutdownOutputWhenDone()} or {@link ChatChannel#closeWhenDone()}, pushes from
     * here are dropped.
     *
     * @param channel the channel of this session
     * @param tail the bytes never collected, possibly empty; the session's to keep
     */
    default void inputEnded(ChatChannel channel, byte[] tail) {
    }

    /** Which way a connection was idle, for {@link #idle}. */
    enum IdleKind {
        /** No input came for {@link ChatOptions#readerIdleTime()}. */
        READER,
        /** No output went for {@link ChatOptions#writerIdleTime()}. */
        WRITER
    }

    /**
     * Called when the connection has been idle for the time set with {@link ChatOptions#withIdleEvents}: no input
     * ({@link IdleKind#READER}) or no output ({@link IdleKind#WRITER}). The session decides: push a heartbeat
     * ({@code PING}), close, or nothing; the connection stays open otherwise. Called again after another period
     * of the same quiet. Does nothing by default. The {@link ChatOptions#idleTimeout()} still closes a connection
     * that stays idle for it.
     *
     * <p>Never called at the same time as another of this session's callbacks. While the connection thread waits
     * for input, this runs on a thread of its own (a blocked read cannot be woken without closing the socket), and
     * input that arrives meanwhile is dispatched once it returns; otherwise the connection thread calls it before
     * it next waits for input.
     *
     * @param channel the channel of this session
     * @param kind which way the connection was idle
     */
    default void idle(ChatChannel channel, IdleKind kind) {
    }

    /**
     * Called exactly once when the connection has closed, whatever closed it: the peer, {@link
     * ChatChannel#close()}, {@link ChatChannel#closeWhenDone()}, an error, or the server shutting down. Does
     * nothing by default.
     *
     * <p>Bytes collected since the last {@link #foundTerminator} are an unterminated tail; a partial delimiter
     * held back at the end of the input is never collected, but {@link #inputEnded} receives it when the peer
     * ended its input. Pushes from here are not written.
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
     * <p>The default logs the error at WARN with the remote address and closes the channel; after a limit or
     * framing rule the peer broke it first writes the replies already pushed (the answers to the peer's requests
     * before the bad input), as {@link ChatChannel#closeWhenDone()} does. An override that does not close the
     * channel keeps the connection going (as in asynchat); the input or producer that failed is skipped. After a
     * limit ({@link ChatLimitException}) or framing rule ({@link ChatProtocolException}) the peer broke, no more
     * input is dispatched: what the hook pushes is written, then the connection closes (as after
     * {@link ChatChannel#closeWhenDone()}), so a session can answer in its protocol before it goes. That output
     * has the write timeout in all to go out, counted from the broken limit (30 seconds with no write timeout).
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

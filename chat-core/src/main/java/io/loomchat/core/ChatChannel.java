package io.loomchat.core;

import java.net.SocketAddress;
import javax.net.ssl.SSLContext;

/**
 * One connection as its session sees it: the terminator that splits its input, and its output queue.
 *
 * <p>This is the channel side of asynchat's {@code async_chat}. Output is a FIFO of pushed bytes and
 * {@link Producer producers}, written in order by the connection's pump thread; {@link #closeWhenDone()}
 * puts a marker in that FIFO after which the connection closes.
 *
 * <p>Threading: {@link #push}, {@link #pushWithoutCopy}, {@link #tryPush}, {@link #pushWithProducer},
 * {@link #closeWhenDone}, {@link #shutdownOutputWhenDone}, {@link #close}, {@link #discardBuffers} and
 * {@link #isOpen} are safe from any thread, so a chat room may
 * push to other members' channels from the thread of the member who spoke. The terminator belongs to the
 * session: set it in {@link SessionFactory#create} or in the session's callbacks.
 *
 * <p>After {@link #closeWhenDone()} or {@link #close()}, pushed output is not written, as in asynchat. Unlike
 * asynchat the caller can tell: {@link #isOpen()} turns false and {@link #tryPush} returns false. A push to a
 * channel that is closing never throws, so a broadcast never breaks the connection of the one who sent it.
 *
 * {@snippet :
 * // A one-shot reply, then close once it is written (asynchat's push + close_when_done).
 * SessionFactory greeter = channel -> {
 *     channel.push("hello, " + channel.remoteAddress() + "\r\n");
 *     channel.closeWhenDone();
 *     return new ChatSession() {
 *         @Override public void collectIncomingData(byte[] data) { }
 *         @Override public void foundTerminator() { }
 *     };
 * };
 * }
 */
public interface ChatChannel {

    /**
     * Sets the terminator to a delimiter given as UTF-8 text; the empty string means none.
     * Mirrors asynchat's {@code set_terminator(str)}.
     *
     * @param delimiter the text that ends a message, such as {@code "\r\n"}
     */
    void setTerminator(String delimiter);

    /**
     * Sets the terminator to a delimiter of bytes; an empty array means none. The array is copied.
     * Mirrors asynchat's {@code set_terminator(bytes)}.
     *
     * @param delimiter the bytes that end a message
     */
    void setTerminator(byte[] delimiter);

    /**
     * Sets the terminator to a count of bytes to read; 0 means none, as in asynchat.
     * Mirrors asynchat's {@code set_terminator(int)}.
     *
     * @param count the number of bytes in the next message
     * @throws IllegalArgumentException if {@code count} is negative
     */
    void setTerminator(long count);

    /**
     * Sets the terminator; see {@link Terminator} for its kinds: asynchat's three, and those beyond asynchat
     * ({@link Terminator.Delimiters}, {@link Terminator.LengthField}, {@link Terminator.StrictLines}). It applies at once, to the input already buffered too.
     *
     * @param terminator any {@link Terminator}
     */
    void setTerminator(Terminator terminator);

    /**
     * {@return the current terminator} A {@link Terminator.Count} reports the bytes still to read, so inside
     * {@link ChatSession#foundTerminator()} after a count was met it is {@code Count(0)}.
     * Mirrors asynchat's {@code get_terminator}.
     */
    Terminator getTerminator();

    /**
     * {@return the delimiter that ended the message just found, or null if none did} Inside
     * {@link ChatSession#foundTerminator()} it tells which delimiter ended the message: the one of a
     * {@link Terminator.Delimiter}, {@code "\r\n"} for {@link Terminator.StrictLines}, and the one found of
     * {@link Terminator.Delimiters}. It is null after a {@link Terminator.Count count} or a
     * {@link Terminator.LengthField frame}, and before the first message. Read it on the connection's thread.
     */
    default Terminator.Delimiter lastDelimiter() {
        return null;
    }

    /**
     * Queues {@code data} to be written after everything queued before it. The array is copied, so the caller
     * may reuse it. Mirrors asynchat's {@code push}.
     *
     * <p>Pushed from the session's callbacks, the data is written once the callbacks for the input they were
     * called for return (so replies to pipelined requests leave in one write), or within about 0.1 s if a
     * callback keeps running; pushed from any other thread, at once.
     *
     * <p>If the output queue is over its high watermark this waits, as a virtual thread may, until the peer
     * has read enough; after {@link #closeWhenDone()} or {@link #close()} the data is dropped (see
     * {@link #tryPush}).
     *
     * @param data the bytes to write; copied
     */
    void push(byte[] data);

    /**
     * Queues {@code data} like {@link #push(byte[])}, but may write it from the caller's array instead of a copy,
     * after this returns: changing the array afterwards may change what is sent. For arrays that stay as they
     * are, such as a stored value or a file read once, it saves a copy per reply: on a plain TCP connection of a
     * {@code ChatServer} or {@code ChatClient}, arrays of 1 KiB and more go out from where they are, gathered
     * with the output around them (up to 64 pieces or 256 KiB a system call; an array over 64 KiB is written
     * alone). Smaller arrays, and output over TLS or a stream pair, are copied as {@code push} copies them; so
     * does this default method, for channels of other makes.
     *
     * <p>The same array may be queued on many channels (a broadcast). The queue keeps a reference to it until it
     * is written, and counts its bytes against the watermarks: over the high one this waits as {@code push}
     * does. asynchat's {@code push} queued data up to its {@code ac_out_buffer_size} as it was, uncopied; Netty's
     * {@code Unpooled.wrappedBuffer} is the like of this in Netty.
     *
     * @param data the bytes to write; not to be changed after this call
     */
    default void pushWithoutCopy(byte[] data) {
        push(data);
    }

    /**
     * Queues {@code text} encoded as UTF-8; see {@link #push(byte[])}.
     *
     * @param text the text to write
     */
    void push(String text);

    /**
     * Queues {@code data} like {@link #push(byte[])}, but never waits, and tells whether it was queued.
     *
     * @param data the bytes to write; copied if queued
     * @return false if the channel is closing or closed, or its output queue is over the high watermark
     */
    boolean tryPush(byte[] data);

    /**
     * Queues a producer, whose output is written after everything queued before it, and before anything
     * queued after it. Mirrors asynchat's {@code push_with_producer}.
     *
     * @param producer asked for output on the connection's pump thread until it is exhausted
     */
    void pushWithProducer(Producer producer);

    /**
     * Closes the connection once everything queued before this call has been written.
     * Mirrors asynchat's {@code close_when_done}. Input that arrives meanwhile is still dispatched.
     */
    void closeWhenDone();

    /**
     * Shuts the output (the peer reads end of stream) once everything queued before this call has been written,
     * and goes on dispatching input until the peer ends its own: the writing half of {@link #closeWhenDone()}, a
     * half-close. Twisted's {@code loseWriteConnection} and Netty's {@code shutdownOutput} are its likes; asynchat
     * had none.
     *
     * <p>From the call on, as after {@code closeWhenDone}, {@link #isOpen()} is false and output pushed later is
     * dropped. When the peer then ends its input, the session hears {@link ChatSession#inputEnded} and the
     * connection closes; the idle timeout still bounds a peer that never does. A later {@code closeWhenDone} does
     * nothing; {@link #close()} closes at once. Where the connection cannot half-close (TLS over
     * {@code SSLSocket}, a stream pair), it closes once the output is written, as after {@code closeWhenDone}.
     * Does nothing on a channel that is closing already.
     */
    default void shutdownOutputWhenDone() {
        closeWhenDone();
    }

    /**
     * Drops the queued output and the buffered input. Mirrors asynchat's {@code discard_buffers}
     * ("emergencies only"). Output already taken for writing (handed to the operating system, or on plain TCP
     * gathered into the write in progress, up to 256 KiB) is not recalled. Call it from the
     * session's callbacks: from another thread, input that a read in progress returns may be dropped too.
     */
    void discardBuffers();

    /**
     * Closes the connection now, dropping queued output. No further input is dispatched to the session, not
     * even input already buffered (asynchat kept dispatching it). Does nothing if already closed.
     */
    void close();

    /**
     * {@return whether output pushed now would be written} False from {@link #closeWhenDone()} or
     * {@link #close()} on.
     */
    boolean isOpen();

    /**
     * Switches the connection to TLS from {@code context} once everything queued before this call (the "220 ready
     * to start TLS" reply) has been written: SMTP's, IMAP's, POP3's or LDAP's STARTTLS. A connection of a
     * {@code ChatServer} takes the server side of the handshake, one of a {@code ChatClient} the client side, each
     * with the TLS options of its builder. The handshake runs on the connection's thread, within the connection's
     * {@link ChatOptions#handshakeTimeout() handshakeTimeout}; input that follows is read over TLS, output queued
     * after this call is written over TLS. A failed or timed-out handshake closes the connection.
     *
     * <p>Call it from the session's callbacks, usually {@link ChatSession#foundTerminator()} for the command that
     * asks for TLS: the rest of the input that read brought is then not dispatched. Input that the peer sent after
     * the command and before the handshake (a pipelined {@code STARTTLS\r\nMAIL FROM:<x>\r\n} in one packet, the
     * command injection of CVE-2011-0411) would be taken as if it had come over TLS; it is never dispatched. The
     * connection closes instead: the session's {@link ChatSession#handleError handleError} hears a
     * {@link ChatLimitException} with limit {@code "startTls"}, logged once by {@code io.loomchat.limits}, and the
     * close reason is {@link CloseReason#STARTTLS_INJECTION}.
     *
     * {@snippet :
     * // In an SMTP session's foundTerminator():
     * if (line.equals("STARTTLS")) {
     *     channel.push("220 2.0.0 Ready to start TLS\r\n");
     *     channel.startTls(sslContext);  // the 220 goes out in plain text, then the handshake
     * }
     * }
     *
     * @param context the certificate and trust to handshake with
     * @throws IllegalStateException if called from a thread other than the connection's own (outside the session's
     *     callbacks), if the connection is TLS already or switching to it, or if it runs over no socket (a stream
     *     pair)
     * @throws UnsupportedOperationException by this default method, for channels of other makes
     */
    default void startTls(SSLContext context) {
        throw new UnsupportedOperationException("startTls() on " + getClass().getName());
    }

    /** {@return the address of the peer, or {@code null} where there is none (an in-memory stream pair)} */
    SocketAddress remoteAddress();
}

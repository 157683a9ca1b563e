package io.loomchat.core.internal;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import javax.net.ssl.SSLContext;

/** What a {@link Connection} runs over: closing it must unblock a read or write in progress. */
public interface Transport extends Closeable {

    /**
     * Prepares the transport on the connection thread before anything is read or written: a TLS handshake.
     * Does nothing by default.
     *
     * @throws IOException if the transport cannot be used; the connection then closes without a session
     */
    default void open() throws IOException {
    }

    /**
     * Ends the input side only, so that a blocked read sees end of input: a graceful shutdown then drains the
     * output. Where the transport cannot do that (a plain stream pair), it closes instead.
     *
     * @throws IOException if the input cannot be ended; the connection then closes at once
     */
    default void shutdownInput() throws IOException {
        close();
    }

    /**
     * Ends the output side only, after the last reply: the peer sees end of stream while its unread requests
     * are drained, instead of a reset that could destroy the reply. Where the transport cannot, it closes.
     *
     * @throws IOException if the output cannot be ended; the connection then closes at once
     */
    default void shutdownOutput() throws IOException {
        close();
    }

    /**
     * The streams of a transport after {@link #startTls}.
     *
     * @param in the input, over TLS
     * @param out the output, over TLS
     */
    record Streams(InputStream in, OutputStream out) {
    }

    /** {@return why {@link #startTls} cannot be called on this transport, or null if it can} */
    default String noStartTls() {
        return "the connection runs over no socket";
    }

    /**
     * Layers TLS from {@code context} on the transport and runs the handshake, on the connection thread, with
     * nothing else reading or writing: the side (server or client) and the TLS options are the transport's.
     *
     * @param context the certificate and trust to handshake with
     * @return the streams to read and write from now on
     * @throws IOException if the handshake fails; the connection then closes
     */
    default Streams startTls(SSLContext context) throws IOException {
        throw new IllegalStateException(noStartTls());
    }

    /**
     * {@return whether {@link #shutdownOutput()} ends the output only, so input can still be read after it} False
     * by default: a stream pair, or TLS over {@code SSLSocket}, which cannot half-close.
     */
    default boolean halfCloses() {
        return false;
    }
}

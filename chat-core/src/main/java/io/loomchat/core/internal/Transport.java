package io.loomchat.core.internal;

import java.io.Closeable;
import java.io.IOException;

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
     * {@return whether {@link #shutdownOutput()} ends the output only, so input can still be read after it} False
     * by default: a stream pair, or TLS over {@code SSLSocket}, which cannot half-close.
     */
    default boolean halfCloses() {
        return false;
    }
}

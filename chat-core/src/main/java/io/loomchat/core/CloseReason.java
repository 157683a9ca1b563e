package io.loomchat.core;

/**
 * Why a connection closed. The first cause wins: a peer that breaks a limit and then resets is counted as
 * {@code MESSAGE_TOO_LONG}. Counted by {@code ChatServer.stats()} and recorded in the JFR event
 * {@code io.loomchat.ConnectionClosed}.
 */
public enum CloseReason {
    /** The peer ended its input (EOF) and queued output was written. */
    PEER_CLOSED,
    /** A read or write failed: the peer reset the connection or went away. */
    PEER_RESET,
    /** The session called {@code close()}, or the application closed the connection. */
    CLOSED,
    /** The session's {@code closeWhenDone()} marker was reached. */
    CLOSE_WHEN_DONE,
    /** A session callback or producer threw, and the error hook closed the connection. */
    SESSION_ERROR,
    /**
     * The peer sent more than {@code maxMessageSize} bytes without a terminator, or a frame over its
     * {@link Terminator.LengthField#maxFrameSize() maxFrameSize}.
     */
    MESSAGE_TOO_LONG,
    /** The peer sent nothing for {@code idleTimeout}. */
    IDLE_TIMEOUT,
    /** One message took longer than {@code messageTimeout} to arrive. */
    MESSAGE_TIMEOUT,
    /** The peer did not read its output within {@code writeTimeout} (a slow consumer). */
    WRITE_TIMEOUT,
    /** The server closed: output was drained, or the drain timeout ran out. */
    SHUTDOWN,
    /** The connection did not open within {@code handshakeTimeout}: a TLS handshake that did not finish. */
    HANDSHAKE_TIMEOUT,
    /** The peer broke a rule of the terminator's framing: a {@link ChatProtocolException}. */
    PROTOCOL_ERROR,
    /**
     * The peer sent input after the command that started TLS and before the handshake (a pipelined
     * {@code STARTTLS\r\nMAIL FROM:...}): that input was never dispatched. See {@code ChatChannel.startTls}.
     */
    STARTTLS_INJECTION
}

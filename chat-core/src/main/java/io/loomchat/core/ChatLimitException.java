package io.loomchat.core;

import java.io.IOException;
import java.net.SocketAddress;

/**
 * Tells a session's {@link ChatSession#handleError} that its peer broke one of the connection's limits, such
 * as {@link ChatOptions#maxMessageSize()}, or the one that lets no input through between the command that
 * starts TLS and the handshake (limit {@code "startTls"}, value 0: see {@link ChatChannel#startTls}). The
 * connection is closed after the error hook returns.
 */
public final class ChatLimitException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * The name of the limit, as in {@link ChatOptions}: {@code "maxMessageSize"}; or {@code "maxFrameSize"} (a
     * {@link Terminator.LengthField}'s), {@code "startTls"}.
     */
    private final String limit;
    /** The configured value of the limit. */
    private final long value;
    /** The peer that broke it, or null. */
    private final transient SocketAddress remoteAddress;

    /**
     * Creates the exception; the message names the limit, its value and the peer.
     *
     * @param limit the name of the limit in {@link ChatOptions}
     * @param value the limit's configured value
     * @param remoteAddress the peer, or null
     * @param detail what happened, in a few words
     */
    public ChatLimitException(String limit, long value, SocketAddress remoteAddress, String detail) {
        super(limit + " (" + value + ") exceeded by " + remoteAddress + ": " + detail);
        this.limit = limit;
        this.value = value;
        this.remoteAddress = remoteAddress;
    }

    /** {@return the name of the limit that was broken, as in {@link ChatOptions}} */
    public String limit() {
        return limit;
    }

    /**
     * {@return the close reason that this broken limit gives its connection, as {@code ChatServer.stats()} counts
     * it} {@code maxMessageSize}, and a {@link Terminator.LengthField}'s {@code maxFrameSize}, are
     * {@link CloseReason#MESSAGE_TOO_LONG}; each timeout has the reason of its name; {@code startTls} (no input
     * allowed between the command that starts TLS and the handshake, see {@link ChatChannel#startTls}) is
     * {@link CloseReason#STARTTLS_INJECTION}.
     */
    public CloseReason reason() {
        return switch (limit) {
            case "maxMessageSize", "maxFrameSize" -> CloseReason.MESSAGE_TOO_LONG;
            case "idleTimeout" -> CloseReason.IDLE_TIMEOUT;
            case "messageTimeout" -> CloseReason.MESSAGE_TIMEOUT;
            case "writeTimeout" -> CloseReason.WRITE_TIMEOUT;
            case "handshakeTimeout" -> CloseReason.HANDSHAKE_TIMEOUT;
            case "startTls" -> CloseReason.STARTTLS_INJECTION;
            default -> CloseReason.SESSION_ERROR;  // a limit of the session's own making
        };
    }

    /** {@return the configured value of the limit} */
    public long value() {
        return value;
    }

    /** {@return the peer that broke the limit, or null} */
    public SocketAddress remoteAddress() {
        return remoteAddress;
    }
}

package io.loomchat.core;

import java.io.IOException;
import java.net.SocketAddress;

/**
 * Tells a session's {@link ChatSession#handleError} that its peer broke a rule of the framing its terminator
 * enforces: a bare {@code "\r"} or {@code "\n"} inside a {@link Terminator.StrictLines strict line}, or a
 * {@link Terminator.LengthField length field} that gives a negative length. As after a broken
 * {@link ChatLimitException limit}, no more input is dispatched: what the hook pushes is written, then the
 * connection closes with {@link CloseReason#PROTOCOL_ERROR}.
 */
public final class ChatProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The rule that was broken: {@link #BARE_LINE_END} or {@link #BAD_LENGTH}. */
    private final String rule;
    /** The peer that broke it, or null. */
    private final transient SocketAddress remoteAddress;

    /** The rule of {@link Terminator.StrictLines}: a line holds no {@code "\r"} or {@code "\n"} but its end. */
    public static final String BARE_LINE_END = "bareLineEnd";
    /** The rule of {@link Terminator.LengthField}: the length, adjusted, is not negative and fits a long. */
    public static final String BAD_LENGTH = "badLength";

    /**
     * Creates the exception; the message names the rule, the peer and what it sent.
     *
     * @param rule the rule broken, such as {@link #BARE_LINE_END}
     * @param remoteAddress the peer, or null
     * @param detail what happened, in a few words
     */
    public ChatProtocolException(String rule, SocketAddress remoteAddress, String detail) {
        super(rule + " broken by " + remoteAddress + ": " + detail);
        this.rule = rule;
        this.remoteAddress = remoteAddress;
    }

    /** {@return the rule that was broken: {@link #BARE_LINE_END} or {@link #BAD_LENGTH}} */
    public String rule() {
        return rule;
    }

    /** {@return the close reason this gives its connection: {@link CloseReason#PROTOCOL_ERROR}} */
    public CloseReason reason() {
        return CloseReason.PROTOCOL_ERROR;
    }

    /** {@return the peer that broke the rule, or null} */
    public SocketAddress remoteAddress() {
        return remoteAddress;
    }
}

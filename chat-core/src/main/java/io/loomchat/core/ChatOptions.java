package io.loomchat.core;

/**
 * The buffer sizes and limits of a connection, shared by servers, clients and stream pairs.
 *
 * <p>Immutable; start from {@link #defaults()} and change what you need:
 * {@snippet :
 * ChatOptions options = ChatOptions.defaults().withInBufferSize(16 * 1024).withMaxMessageSize(1 << 20);
 * }
 */
public final class ChatOptions {
    private static final ChatOptions DEFAULTS = new ChatOptions(4096, 4096, 64 * 1024);

    /** Bytes read from the connection at a time (asynchat's {@code ac_in_buffer_size}). */
    private final int inBufferSize;
    /** Bytes gathered before a write (asynchat's {@code ac_out_buffer_size}). */
    private final int outBufferSize;
    /** Most bytes collected between two terminators under a delimiter; 0 for no limit. */
    private final int maxMessageSize;

    private ChatOptions(int inBufferSize, int outBufferSize, int maxMessageSize) {
        if (inBufferSize < 1) throw new IllegalArgumentException("inBufferSize < 1: " + inBufferSize);
        if (outBufferSize < 1) throw new IllegalArgumentException("outBufferSize < 1: " + outBufferSize);
        if (maxMessageSize < 0) throw new IllegalArgumentException("maxMessageSize < 0: " + maxMessageSize);
        this.inBufferSize = inBufferSize;
        this.outBufferSize = outBufferSize;
        this.maxMessageSize = maxMessageSize;
    }

    /**
     * Returns the defaults: 4096-byte input and output buffers (asynchat's documented
     * {@code ac_in_buffer_size} and {@code ac_out_buffer_size}), and a 64 KiB message limit.
     */
    public static ChatOptions defaults() {
        return DEFAULTS;
    }

    /** Returns the bytes read from the connection at a time; default 4096. */
    public int inBufferSize() {
        return inBufferSize;
    }

    /** Returns the bytes gathered from pushes and producers before one write; default 4096. */
    public int outBufferSize() {
        return outBufferSize;
    }

    /**
     * Returns the most bytes collected between two {@link ChatSession#foundTerminator()} calls while the
     * terminator is a delimiter; default 64 KiB, 0 for no limit. A peer that sends more gets the session's
     * {@link ChatSession#handleError} a {@link ChatLimitException}, and its connection closed. asynchat had no
     * such limit: a peer that never sent the terminator grew the buffer without end.
     */
    public int maxMessageSize() {
        return maxMessageSize;
    }

    /**
     * Returns these options with another input buffer size.
     *
     * @throws IllegalArgumentException if {@code bytes} is less than 1
     */
    public ChatOptions withInBufferSize(int bytes) {
        return new ChatOptions(bytes, outBufferSize, maxMessageSize);
    }

    /**
     * Returns these options with another output buffer size.
     *
     * @throws IllegalArgumentException if {@code bytes} is less than 1
     */
    public ChatOptions withOutBufferSize(int bytes) {
        return new ChatOptions(inBufferSize, bytes, maxMessageSize);
    }

    /**
     * Returns these options with another message size limit; 0 removes the limit.
     *
     * @throws IllegalArgumentException if {@code bytes} is negative
     */
    public ChatOptions withMaxMessageSize(int bytes) {
        return new ChatOptions(inBufferSize, outBufferSize, bytes);
    }

    @Override
    public String toString() {
        return "ChatOptions[inBufferSize=" + inBufferSize + ", outBufferSize=" + outBufferSize
                + ", maxMessageSize=" + maxMessageSize + "]";
    }
}

package io.loomchat.core.internal;

/**
 * Where the {@link TerminatorReader}'s findings go: the session's callbacks, and the hooks around each read's
 * dispatch.
 */
interface ReaderSink {
    /** {@return whether input is still dispatched} Checked before each read and each callback. */
    boolean dispatching();

    /** Called before the callbacks for one read: the replies they push may wait for {@link #endDispatch()}. */
    void beginDispatch();

    /** Called once the callbacks for one read have returned, before the next read. */
    void endDispatch();

    /** Called before each read that may block, once everything read was dispatched: other callbacks may run. */
    default void readStarts() {
    }

    /** Called after each read, whatever it returned or threw: no callback runs from here but the reader's. */
    default void readEnds() {
    }

    /** asynchat's {@code collect_incoming_data}, with an array the session may keep: never empty. */
    void collect(byte[] data);

    /**
     * asynchat's {@code collect_incoming_data}, with a range of the reader's buffer, valid during the call only:
     * never empty. By default a copy goes to {@link #collect(byte[])}.
     */
    default void collect(byte[] buffer, int offset, int length) {
        collect(java.util.Arrays.copyOfRange(buffer, offset, offset + length));
    }

    /** asynchat's {@code found_terminator}. */
    void found();

    /** A message under a delimiter grew past {@code limit} bytes: input ends, the session is told. */
    void messageTooLong(int limit, long bytes);

    /** A length field announced a frame of {@code bytes}, over {@code limit}: input ends, the session is told. */
    void frameTooLarge(long limit, long bytes);

    /** The peer broke a rule of the framing ({@link io.loomchat.core.ChatProtocolException}): input ends likewise. */
    void protocolError(String rule, String detail);
}

package io.loomchat.core.internal;

import io.loomchat.core.Terminator;

/**
 * One of the terminators beyond asynchat's, with its state, as the {@link TerminatorReader} runs it over its buffer.
 * A new one is made each time the session sets a terminator.
 */
interface Splitter {

    /**
     * Handles input from the start of {@code buffer[from, to)}: makes at most one collect call, then at most one
     * found call (after which the session may have set another terminator), and returns the index it consumed up
     * to. It returns {@code from} only when it needs more input: then every byte before {@code to} has been
     * collected (or dropped, as a delimiter is) but a delimiter prefix held back at the end, which it meets again
     * at the start of the next call.
     *
     * @param buffer the reader's buffer
     * @param from the first byte not yet dispatched
     * @param to the end of the input read
     * @param out where collected bytes, found terminators and refused input go
     * @return the first byte not consumed
     */
    int split(byte[] buffer, int from, int to, Out out);

    /** {@return whether part of a message has been read, for the message timeout} */
    boolean inMessage();

    /** The reader's side: the session's callbacks, and the ends of input for broken rules. */
    interface Out {
        /** Collects {@code buffer[from, to)}, unless it is empty. */
        void collect(byte[] buffer, int from, int to);

        /**
         * Collects part of a line, enforcing {@code maxMessageSize}; returns false (and has ended input) if the line
         * grew past it.
         */
        boolean collectLine(byte[] buffer, int from, int to);

        /** Calls foundTerminator; {@code delimiter} ended the message, or null if a length did. */
        void found(Terminator.Delimiter delimiter);

        /** Ends input: a frame of {@code bytes} is over its terminator's {@code limit}. */
        void frameTooLarge(long limit, long bytes);

        /** Ends input: the peer broke a rule of the framing. */
        void protocolError(String rule, String detail);
    }
}

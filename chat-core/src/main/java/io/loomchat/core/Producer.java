package io.loomchat.core;

/**
 * Produces output on demand, like an asynchat producer with a {@code more()} method.
 *
 * <p>The channel's pump calls {@link #more()} on its own virtual thread until the producer is exhausted,
 * then goes on to the next item in the channel's queue. {@code more()} may block (waiting for a file, a
 * queue, another server): that holds up this channel's later output, but never its reading nor any other
 * connection. Output produced so far is written before a blocking producer is asked for more.
 */
@FunctionalInterface
public interface Producer {

    /**
     * Returns the next bytes to write, or an empty array (or {@code null}) once exhausted.
     *
     * <p>The returned array is not modified by loomchat and may be reused by the producer after the next call.
     *
     * @return the next chunk of output; empty or {@code null} when there is no more
     * @throws Exception to fail; the session's {@link ChatSession#handleError} is told and the producer dropped
     */
    byte[] more() throws Exception;
}

package io.loomchat.core.internal;

import java.io.IOException;
import java.io.InputStream;

/** Gives a {@link TerminatorReader} the stream to read from next: {@code startTls}'s TLS stream. */
interface InputSwitch {
    /**
     * Called on the connection thread between two reads, with nothing dispatched since the callback that asked
     * for it.
     *
     * @param buffered the bytes read and not dispatched: input that came after the command that asked for the
     *     switch, and before it
     * @return the stream to read from now on, or null if the switch was refused (the reader then stops)
     * @throws IOException if the switch failed
     */
    InputStream switchInput(int buffered) throws IOException;
}

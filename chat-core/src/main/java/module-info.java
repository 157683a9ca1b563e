/**
 * loomchat's contract: Python's asynchat on Java virtual threads, with no socket code.
 *
 * <p>A protocol implements {@link io.loomchat.core.ChatSession}; a
 * {@link io.loomchat.core.ChatConnection} runs it over any input and output stream pair.
 */
module io.loomchat.core {
    requires org.slf4j;
    requires jdk.jfr;

    exports io.loomchat.core;
    exports io.loomchat.core.internal to io.loomchat.server, io.loomchat.testkit;
}

package io.loomchat.core;

/**
 * Creates the session for a new connection, like the {@code handle_accepted} of an asyncore dispatcher that
 * instantiates its {@code async_chat} class.
 *
 * <p>Called on the connection's own virtual thread, before any input is read. The channel already works
 * here: a session may set its terminator, push a greeting banner, or push a one-shot reply and call
 * {@link ChatChannel#closeWhenDone()}. If it throws, the error is logged and the connection closed.
 */
@FunctionalInterface
public interface SessionFactory {

    /**
     * Creates the session that will receive this connection's input.
     *
     * @param channel the new connection's channel
     * @return the session, not null
     * @throws Exception to refuse the connection; it is logged and the connection closed
     */
    ChatSession create(ChatChannel channel) throws Exception;
}

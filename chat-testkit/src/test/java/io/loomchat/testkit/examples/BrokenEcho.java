package io.loomchat.testkit.examples;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatSession;

/**
 * A deliberately broken echo: it assumes that a whole line arrives in one read, so it answers every piece of
 * data at once instead of waiting for the terminator. Every test that sends whole lines passes.
 */
public final class BrokenEcho implements ChatSession {
    private final ChatChannel channel;

    public BrokenEcho(ChatChannel channel) {
        this.channel = channel;
        channel.setTerminator("\r\n");
    }

    @Override
    public void collectIncomingData(byte[] data) {
        // The bug: this is a piece of a line, not a line.
        channel.push(data);
        channel.push("\r\n");
    }

    @Override
    public void foundTerminator() {
    }
}

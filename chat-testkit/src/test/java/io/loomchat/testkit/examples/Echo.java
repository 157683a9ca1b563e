package io.loomchat.testkit.examples;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatSession;
import java.io.ByteArrayOutputStream;

/** The echo protocol: every line that ends with {@code \r\n} comes back. The example the tests are about. */
public final class Echo implements ChatSession {
    private final ChatChannel channel;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    public Echo(ChatChannel channel) {
        this.channel = channel;
        channel.setTerminator("\r\n");
    }

    @Override
    public void collectIncomingData(byte[] data) {
        line.writeBytes(data);
    }

    @Override
    public void foundTerminator() {
        line.writeBytes(new byte[] {'\r', '\n'});
        channel.push(line.toByteArray());
        line.reset();
    }
}

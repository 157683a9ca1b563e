package io.loomchat.testkit.examples;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatSession;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A protocol that switches terminators: {@code SEND n\r\n} announces a body of n bytes, read with a count
 * terminator; the reply is {@code got n bytes: body\r\n}. Anything else gets {@code ERR\r\n}.
 */
public final class LengthPrefixed implements ChatSession {
    private final ChatChannel channel;
    private final ByteArrayOutputStream collected = new ByteArrayOutputStream();
    private boolean readingBody;

    public LengthPrefixed(ChatChannel channel) {
        this.channel = channel;
        channel.setTerminator("\r\n");
    }

    @Override
    public void collectIncomingData(byte[] data) {
        collected.writeBytes(data);
    }

    @Override
    public void foundTerminator() {
        String text = collected.toString(StandardCharsets.UTF_8);
        collected.reset();
        if (readingBody) {
            channel.push("got " + text.getBytes(StandardCharsets.UTF_8).length + " bytes: " + text + "\r\n");
            readingBody = false;
            channel.setTerminator("\r\n");
        } else if (text.matches("SEND \\d{1,6}")) {
            readingBody = true;
            // asynchat: a terminator set in foundTerminator applies to the rest of the buffer
            channel.setTerminator(Long.parseLong(text.substring(5)));
        } else {
            channel.push("ERR\r\n");
        }
    }
}

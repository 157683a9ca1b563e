package io.loomchat.examples.guide;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatSession;
import io.loomchat.core.Terminator;
import java.io.ByteArrayOutputStream;

/**
 * A length-prefixed string server, as Twisted's {@code Int16StringReceiver}: each message is a big-endian 16-bit
 * length, then that many bytes; each is answered with the same bytes in ASCII upper case, framed the same way.
 *
 * <p>The framing is all the terminator's: {@link Terminator#lengthField(int)} reads the length, hands the session
 * the body (its header dropped) and calls {@link #foundTerminator()} at its end. A frame over 4 KiB is refused
 * before its body arrives, and the connection closes.
 */
public final class Int16Strings implements ChatSession {
    private final ChatChannel channel;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();

    /** Starts a session that reads frames of a 2-byte length and up to 4 KiB in all. */
    public Int16Strings(ChatChannel channel) {
        this.channel = channel;
        channel.setTerminator(Terminator.lengthField(2).keepHeader(false).maxFrameSize(4096));
    }

    @Override
    public void collectIncomingData(byte[] data) {
        body.writeBytes(data); // the body, as it arrives
    }

    @Override
    public void foundTerminator() {
        byte[] upper = body.toByteArray();
        body.reset();
        for (int i = 0; i < upper.length; i++) {
            if (upper[i] >= 'a' && upper[i] <= 'z') upper[i] -= 'a' - 'A';
        }
        channel.push(new byte[] {(byte) (upper.length >> 8), (byte) upper.length});
        channel.push(upper);
    }
}

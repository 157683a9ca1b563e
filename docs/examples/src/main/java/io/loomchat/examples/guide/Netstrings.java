package io.loomchat.examples.guide;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatSession;
import io.loomchat.core.Terminator;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A netstring server: each message is {@code <length>:<bytes>,} (D. J. Bernstein's netstrings, as in
 * {@code 5:hello,}), and each is answered with a netstring of the same bytes in ASCII upper case.
 *
 * <p>The length is read with a delimiter terminator ({@code ":"}), then the bytes and their comma with a count
 * terminator, then the delimiter again: the terminator changes inside {@link #foundTerminator()}, and the change
 * applies at once to input already read. Anything that is not a netstring ends the conversation: the replies
 * before it are written, then the connection closes.
 */
public final class Netstrings implements ChatSession {
    /** The longest length accepted, in digits. */
    private static final int MAX_DIGITS = 7;

    private final ChatChannel channel;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private boolean readingLength = true;

    /** Starts a session that waits for the first length. */
    public Netstrings(ChatChannel channel) {
        this.channel = channel;
        channel.setTerminator(":");
    }

    @Override
    public void collectIncomingData(byte[] data) {
        if (channel.isOpen()) buffer.writeBytes(data); // after closeWhenDone(): ignore the rest
    }

    @Override
    public void foundTerminator() {
        byte[] bytes = buffer.toByteArray();
        buffer.reset();
        if (readingLength) {
            String digits = new String(bytes, StandardCharsets.US_ASCII);
            if (!digits.matches("[0-9]{1," + MAX_DIGITS + "}")) {
                fail();
                return;
            }
            readingLength = false;
            channel.setTerminator(Long.parseLong(digits) + 1); // the bytes and their comma, read or not yet read
        } else if (bytes[bytes.length - 1] != ',') {
            fail();
        } else {
            readingLength = true;
            channel.setTerminator(":");
            channel.push(netstring(upperCase(bytes, bytes.length - 1)));
        }
    }

    /** Not a netstring: nothing sensible to answer. Closes once the replies queued before are written. */
    private void fail() {
        channel.setTerminator(Terminator.none());
        channel.closeWhenDone();
    }

    private static byte[] upperCase(byte[] bytes, int length) {
        byte[] upper = new byte[length];
        for (int i = 0; i < length; i++) {
            byte b = bytes[i];
            upper[i] = b >= 'a' && b <= 'z' ? (byte) (b - 'a' + 'A') : b;
        }
        return upper;
    }

    private static byte[] netstring(byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 12);
        out.writeBytes((payload.length + ":").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(payload);
        out.write(',');
        return out.toByteArray();
    }
}

package io.loomchat.core.internal;

import io.loomchat.core.ChatProtocolException;
import io.loomchat.core.Terminator;
import java.nio.ByteOrder;

/**
 * Reads {@link Terminator.LengthField} frames. Its states: HEADER (the offset bytes and the length field, counted by
 * {@link #headerRead}, the length accumulated as its bytes pass), then BODY ({@link #bodyLeft} bytes to go), then
 * HEADER again after the found terminator. Header bytes are collected as they pass (or dropped), never held: a
 * session sees each byte of a frame as soon as it arrives.
 */
final class LengthFieldSplitter implements Splitter {
    private final Terminator.LengthField frame;
    private final boolean bigEndian;
    /** Header bytes of the current frame read so far; the frame is in its body once it reaches the header's size. */
    private int headerRead;
    /** The length field's value, as far as it has been read. */
    private long length;
    /** The body's bytes still to read, or -1 while in the header. */
    private long bodyLeft = -1;

    LengthFieldSplitter(Terminator.LengthField frame) {
        this.frame = frame;
        this.bigEndian = frame.byteOrder() == ByteOrder.BIG_ENDIAN;
    }

    @Override
    public int split(byte[] buffer, int from, int to, Out out) {
        if (bodyLeft >= 0) {
            int n = (int) Math.min(bodyLeft, to - from);
            bodyLeft -= n;
            out.collect(buffer, from, from + n);
            if (bodyLeft == 0) endFrame(out);
            return from + n;
        }
        int header = frame.headerSize();
        int n = Math.min(header - headerRead, to - from);
        for (int i = 0; i < n; i++) {
            int k = headerRead + i - frame.offset();  // the byte's index in the length field, if it is in it
            if (k < 0) continue;
            long b = buffer[from + i] & 0xffL;
            length = bigEndian ? length << 8 | b : length | b << (8 * k);
        }
        headerRead += n;
        if (frame.keepHeader()) out.collect(buffer, from, from + n);
        if (headerRead == header) startBody(out);
        return from + n;
    }

    /** The length field is read: checks the frame, then reads its body, or ends it at once if it has none. */
    private void startBody(Out out) {
        long body;
        try {
            if (length < 0) throw new ArithmeticException();  // a 64-bit length over Long.MAX_VALUE
            body = Math.addExact(length, frame.adjustment());
        } catch (ArithmeticException e) {
            body = -1;
        }
        if (body < 0) {
            out.protocolError(ChatProtocolException.BAD_LENGTH, "length field " + Long.toUnsignedString(length)
                    + " with adjustment " + frame.adjustment() + " gives no frame");
            return;
        }
        long total = body > Long.MAX_VALUE - frame.headerSize() ? Long.MAX_VALUE : body + frame.headerSize();
        if (frame.maxFrameSize() > 0 && total > frame.maxFrameSize()) {
            out.frameTooLarge(frame.maxFrameSize(), total);
            return;
        }
        bodyLeft = body;
        if (body == 0) endFrame(out);
    }

    private void endFrame(Out out) {
        headerRead = 0;
        length = 0;
        bodyLeft = -1;
        out.found(null);
    }

    @Override
    public boolean inMessage() {
        return headerRead > 0;
    }
}

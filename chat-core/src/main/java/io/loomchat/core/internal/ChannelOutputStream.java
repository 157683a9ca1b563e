package io.loomchat.core.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.util.Objects;

/**
 * An output stream on a channel in blocking mode, such as a {@code SocketChannel}: a connection's pump finds the
 * channel through it and writes several queued segments in one system call ({@link #write(ByteBuffer[], int, int)}).
 * A plain socket's own stream cannot: each write is a call of its own.
 */
public final class ChannelOutputStream extends OutputStream {
    private final GatheringByteChannel channel;

    /**
     * Wraps {@code channel}, which must be in blocking mode.
     *
     * @param channel the channel written to
     */
    public ChannelOutputStream(GatheringByteChannel channel) {
        this.channel = Objects.requireNonNull(channel, "channel");
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
        while (buffer.hasRemaining()) channel.write(buffer);
    }

    /**
     * Writes from {@code buffers[offset]} on, gathering them into one system call: it writes at least one byte
     * (in blocking mode), and as many more as the channel takes at once.
     *
     * @param buffers the bytes to write, in order; their positions move past what was written
     * @param offset the first buffer to write
     * @param length how many buffers to write from
     * @return the number of bytes written
     * @throws IOException if the write fails
     */
    long write(ByteBuffer[] buffers, int offset, int length) throws IOException {
        return channel.write(buffers, offset, length);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}

package io.loomchat.server.internal;

import io.loomchat.core.ChatOptions;
import io.loomchat.core.SessionFactory;
import io.loomchat.core.internal.ChannelOutputStream;
import io.loomchat.core.internal.Connection;
import io.loomchat.core.internal.Endpoint;
import io.loomchat.core.internal.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Objects;

/**
 * Runs a {@link Connection} over a Unix domain socket's channel, in blocking mode. Such a channel has no
 * {@code Socket} view: the connection reads and writes the channel itself, and the limits and timeouts work as on
 * TCP, since they close or half-close the transport rather than set socket options.
 */
public final class UnixConnections {
    private UnixConnections() {
    }

    /** The channel as a transport: it half-closes each way, and closing it wakes a blocked read or write. */
    private record ChannelTransport(SocketChannel channel) implements Transport {
        @Override
        public void close() throws IOException {
            channel.close();
        }

        @Override
        public void shutdownInput() throws IOException {
            channel.shutdownInput();
        }

        @Override
        public void shutdownOutput() throws IOException {
            channel.shutdownOutput();
        }
    }

    /**
     * Reads the channel directly. {@code Channels.newInputStream} would hold the channel's blocking lock while
     * it reads, and the pump's writes need that lock too.
     */
    private static final class ChannelInputStream extends InputStream {
        private final SocketChannel channel;

        ChannelInputStream(SocketChannel channel) {
            this.channel = channel;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) return 0;
            return channel.read(ByteBuffer.wrap(b, off, len));
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /**
     * Returns a connection on a connected Unix domain socket channel, not yet started.
     *
     * @param channel the channel, in blocking mode
     * @param options the connection's buffer sizes and limits
     * @param factory makes the connection's session
     * @return the connection, to be started
     * @throws IOException if the channel's addresses cannot be had (it was closed meanwhile)
     */
    public static Connection create(SocketChannel channel, ChatOptions options, SessionFactory factory)
            throws IOException {
        // A client's: the server's socket file. A server's: the client's, unnamed (an empty path) unless it bound.
        SocketAddress peer = channel.getRemoteAddress();
        return Connection.create(new Endpoint(new ChannelInputStream(channel), new ChannelOutputStream(channel),
                new ChannelTransport(channel), peer), options, factory);
    }
}

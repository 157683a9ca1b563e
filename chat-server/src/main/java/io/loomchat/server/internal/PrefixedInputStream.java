package io.loomchat.server.internal;

import java.io.IOException;
import java.io.InputStream;

/** A stream that returns bytes already read (after a PROXY protocol header) before those of the stream. */
final class PrefixedInputStream extends InputStream {
    private final byte[] prefix;
    private final InputStream in;
    private int position;

    PrefixedInputStream(byte[] prefix, InputStream in) {
        this.prefix = prefix;
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        if (position < prefix.length) return prefix[position++] & 0xFF;
        return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (position < prefix.length && len > 0) {
            int n = Math.min(len, prefix.length - position);
            System.arraycopy(prefix, position, b, off, n);
            position += n;
            return n;
        }
        return in.read(b, off, len);
    }

    @Override
    public int available() throws IOException {
        return prefix.length - position + in.available();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}

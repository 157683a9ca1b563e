package io.loomchat.core.internal;

import io.loomchat.core.Producer;
import java.util.Arrays;

/** asynchat's {@code simple_producer}: hands out {@code data} in chunks of at most {@code chunkSize}. */
public final class SimpleProducer implements Producer, NonBlocking {
    private final byte[] data;
    private final int chunkSize;
    private int position;

    /**
     * Creates a producer of {@code data}; the array is not copied.
     *
     * @param data the bytes to produce
     * @param chunkSize the most bytes one {@link #more()} returns, at least 1
     */
    public SimpleProducer(byte[] data, int chunkSize) {
        this.data = data;
        this.chunkSize = chunkSize;
    }

    @Override
    public byte[] more() {
        int n = Math.min(chunkSize, data.length - position);
        byte[] chunk = Arrays.copyOfRange(data, position, position + n);
        position += n;
        return chunk;
    }
}

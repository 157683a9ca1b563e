package io.loomchat.core;

import io.loomchat.core.internal.SimpleProducer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** Ready-made {@link Producer producers}. */
public final class Producers {

    /** The chunk size of asynchat's {@code simple_producer}, and of {@link #simple(byte[])}. */
    public static final int DEFAULT_CHUNK_SIZE = 512;

    private Producers() {
    }

    /**
     * Returns a producer of {@code data} in chunks of at most 512 bytes. Mirrors asynchat's
     * {@code simple_producer(data)}. The array is not copied: do not modify it until the producer is exhausted.
     *
     * @param data the bytes to produce
     * @return a producer that is exhausted after the last chunk
     */
    public static Producer simple(byte[] data) {
        return simple(data, DEFAULT_CHUNK_SIZE);
    }

    /**
     * Returns a producer of {@code data} in chunks of at most {@code chunkSize} bytes. Mirrors asynchat's
     * {@code simple_producer(data, buffer_size)}.
     *
     * @param data the bytes to produce; not copied
     * @param chunkSize the most bytes returned by one {@link Producer#more()}
     * @return a producer that is exhausted after the last chunk
     * @throws IllegalArgumentException if {@code chunkSize} is not positive
     */
    public static Producer simple(byte[] data, int chunkSize) {
        Objects.requireNonNull(data, "data");
        if (chunkSize <= 0) throw new IllegalArgumentException("chunkSize <= 0: " + chunkSize);
        return new SimpleProducer(data, chunkSize);
    }

    /**
     * Returns a producer of {@code text} encoded as UTF-8, in chunks of at most 512 bytes.
     *
     * @param text the text to produce
     * @return a producer that is exhausted after the last chunk
     */
    public static Producer simple(String text) {
        return simple(Objects.requireNonNull(text, "text").getBytes(StandardCharsets.UTF_8));
    }
}

package io.loomchat.core;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * What ends a message on a channel's input: a delimiter, a count of bytes, or none.
 *
 * <p>These are the three kinds of asynchat's {@code set_terminator} argument: a string, an integer, and
 * {@code None}. {@code Count(0)} behaves like {@code None()}, collecting all input, as asynchat's {@code 0} does.
 */
public sealed interface Terminator {

    /**
     * A delimiter: input is collected up to it, it is dropped, and the session's
     * {@link ChatSession#foundTerminator()} is called. Never empty.
     *
     * @param bytes the delimiter; copied in and out
     */
    record Delimiter(byte[] bytes) implements Terminator {
        /**
         * Copies the delimiter.
         *
         * @throws IllegalArgumentException if it is empty ({@link Terminator#none()} means no delimiter)
         */
        public Delimiter {
            Objects.requireNonNull(bytes, "bytes");
            if (bytes.length == 0) throw new IllegalArgumentException("empty delimiter: use Terminator.none()");
            bytes = bytes.clone();
        }

        /** {@return a copy of the delimiter's bytes} */
        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        /** {@return the number of bytes in the delimiter} */
        public int length() {
            return bytes.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Delimiter d && Arrays.equals(bytes, d.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        /** Returns the delimiter with control characters escaped, as in {@code Delimiter["\r\n"]}. */
        @Override
        public String toString() {
            return "Delimiter[\"" + escape(bytes) + "\"]";
        }
    }

    /**
     * A count: that many bytes are collected, then {@link ChatSession#foundTerminator()} is called.
     * {@code Count(0)} collects everything, like {@link None}.
     *
     * @param remaining the bytes still to read
     */
    record Count(long remaining) implements Terminator {
        /**
         * Checks the count.
         *
         * @throws IllegalArgumentException if {@code remaining} is negative
         */
        public Count {
            if (remaining < 0) throw new IllegalArgumentException("count < 0: " + remaining);
        }
    }

    /** No terminator: every byte read is collected, and {@link ChatSession#foundTerminator()} is never called. */
    record None() implements Terminator {
    }

    /**
     * Returns a delimiter of {@code text} encoded as UTF-8, or {@link #none()} if it is empty.
     *
     * @param text the delimiter, such as {@code "\r\n"}
     * @return a {@link Delimiter}, or {@link None} for the empty string
     */
    static Terminator delimiter(String text) {
        return delimiter(Objects.requireNonNull(text, "text").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Returns a delimiter of a copy of {@code bytes}, or {@link #none()} if it is empty.
     *
     * @param bytes the delimiter
     * @return a {@link Delimiter}, or {@link None} for an empty array
     */
    static Terminator delimiter(byte[] bytes) {
        return Objects.requireNonNull(bytes, "bytes").length == 0 ? none() : new Delimiter(bytes);
    }

    /**
     * Returns a count of {@code n} bytes; {@code count(0)} collects everything, like {@link #none()}.
     *
     * @param n the number of bytes in the next message
     * @return a {@link Count}
     * @throws IllegalArgumentException if {@code n} is negative
     */
    static Terminator count(long n) {
        return new Count(n);
    }

    /** {@return the terminator that collects everything} */
    static Terminator none() {
        return new None();
    }

    /**
     * Returns the length of the longest proper prefix of {@code needle} that ends {@code haystack}, or 0.
     * Mirrors asynchat's {@code find_prefix_at_end}: {@code findPrefixAtEnd("qwerty\r", "\r\n")} is 1.
     * Like asynchat it assumes {@code needle} itself was already searched for.
     *
     * @param haystack the bytes whose end is searched
     * @param needle the delimiter
     * @return how many bytes at the end of {@code haystack} begin {@code needle}, from 0 to its length - 1
     */
    static int findPrefixAtEnd(byte[] haystack, byte[] needle) {
        return io.loomchat.core.internal.Bytes.findPrefixAtEnd(haystack, 0, haystack.length, needle);
    }

    private static String escape(byte[] bytes) {
        return io.loomchat.core.internal.Bytes.escape(bytes, 0, bytes.length);
    }
}

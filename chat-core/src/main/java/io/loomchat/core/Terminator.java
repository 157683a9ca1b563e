package io.loomchat.core;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What ends a message on a channel's input: a delimiter, a count of bytes, or none; or, beyond asynchat, any of
 * several delimiters, a length-prefixed frame, or a strict {@code "\r\n"} line.
 *
 * <p>The first three are the kinds of asynchat's {@code set_terminator} argument: a string, an integer, and
 * {@code None}. {@code Count(0)} behaves like {@code None()}, collecting all input, as asynchat's {@code 0} does.
 *
 * <p>The others frame input as protocols written since do: {@link Delimiters} ends a message at whichever of
 * several delimiters comes first, {@link LengthField} reads frames whose header gives their length, and
 * {@link StrictLines} reads {@code "\r\n"} lines that refuse a bare {@code "\r"} or {@code "\n"}. Like the classic three they can be set at any time, in {@link ChatSession#foundTerminator()} or
 * {@link ChatSession#collectIncomingData}, and apply at once to the input already buffered; a message's bytes
 * reach the session through {@code collectIncomingData} as they arrive, then {@code foundTerminator} ends it.
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
     * Several delimiters: a message ends at the delimiter that ends first in the input; of two that end at the same
     * place the longer wins (so of {@code "\r\n"} and {@code "\n"}, {@code "\r\n"} ends {@code "a\r\n"}, and
     * the message is {@code "a"}). The delimiter is dropped, as a {@link Delimiter} is, and
     * {@link ChatChannel#lastDelimiter()} tells which one it was. A delimiter that begins another is found first
     * when it comes first: of {@code "\r"} and {@code "\r\n"}, {@code "\r"} ends {@code "a\r\n"}, and the
     * {@code "\n"} begins the next message.
     *
     * <p>As for a {@link Delimiter}, a partial delimiter at the end of the input read so far (the longest end that
     * begins any of them) is held back until the next read tells whether it completes; everything else read is
     * collected at once. {@link ChatOptions#maxMessageSize()} applies. {@link ChatChannel#getTerminator()} reports
     * this record.
     *
     * {@snippet :
     * // A lenient line reader: "\r\n" or a bare "\n".
     * channel.setTerminator(Terminator.anyOf("\r\n", "\n"));
     * }
     *
     * @param delimiters the delimiters, at least one, none empty, in the order given, without repeats
     */
    record Delimiters(List<Delimiter> delimiters) implements Terminator {
        /**
         * Copies the list, dropping repeats.
         *
         * @throws IllegalArgumentException if it is empty
         */
        public Delimiters {
            delimiters = List.copyOf(new java.util.LinkedHashSet<>(delimiters));
            if (delimiters.isEmpty()) throw new IllegalArgumentException("no delimiters: use Terminator.none()");
        }

        /** Returns the delimiters with control characters escaped, as in {@code Delimiters["\r\n", "\n"]}. */
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("Delimiters[");
            for (int i = 0; i < delimiters.size(); i++) {
                byte[] d = delimiters.get(i).bytes;
                sb.append(i == 0 ? "\"" : ", \"").append(escape(d)).append('"');
            }
            return sb.append(']').toString();
        }
    }

    /**
     * Strict lines: a message ends at {@code "\r\n"}, and a {@code "\r"} or {@code "\n"} anywhere else in a line
     * is refused. Where a lenient reader and a strict one disagree on where a line ends, a peer can hide a message
     * inside another (SMTP smuggling: {@code "\n.\n"} taken for the end of the data by one server and not by the
     * next); a strict reader accepts only the one reading.
     *
     * <p>A bare {@code "\r"} (followed by anything but {@code "\n"}) or a bare {@code "\n"} ends the input: the
     * bytes of the line before it are collected, then the session's {@link ChatSession#handleError} gets a
     * {@link ChatProtocolException} with the rule {@link ChatProtocolException#BARE_LINE_END}, and the connection
     * closes once what the hook pushes is written (so an SMTP server can answer {@code 500} first). The reader does
     * not skip to the next line: after a bare line end the two ends of the connection no longer agree on where
     * lines are, which is what the rule is there to prevent.
     *
     * <p>A {@code "\r"} at the end of the input read so far is held back until the next read tells whether a
     * {@code "\n"} follows. {@link ChatOptions#maxMessageSize()} applies. {@link ChatChannel#lastDelimiter()} is
     * {@code "\r\n"} after each line.
     *
     * {@snippet :
     * channel.setTerminator(Terminator.strictLines());
     * }
     */
    record StrictLines() implements Terminator {
    }

    /**
     * A length-prefixed frame: a header of {@link #offset()} bytes (a type byte, say), then a length field of
     * {@link #size()} bytes, an unsigned integer in {@link #byteOrder()}, then a body. The frame is
     * {@code offset + size + length + adjustment} bytes in all, as in Netty's {@code LengthFieldBasedFrameDecoder}:
     * so the body after the length field is {@code length + adjustment} bytes. An adjustment of {@code -size}
     * reads a length that counts itself (PostgreSQL's), of {@code -(offset + size)} one that counts the whole
     * frame.
     *
     * <p>The frame's bytes reach the session through {@link ChatSession#collectIncomingData} as they arrive (the
     * header too, unless {@link #keepHeader(boolean) keepHeader(false)}: then only the body), then
     * {@link ChatSession#foundTerminator()} ends it, and the next frame begins under the same terminator. A frame
     * with an empty body, header dropped, is a {@code foundTerminator} alone.
     *
     * <p>A frame over {@link #maxFrameSize()} (whole, header included) is refused as soon as its length field
     * is read, before its body: the session's {@link ChatSession#handleError} gets a {@link ChatLimitException}
     * named {@code "maxFrameSize"}, and the connection closes once what the hook pushes is written. A length
     * whose adjusted value is negative (or a 64-bit length over {@code Long.MAX_VALUE}) is a
     * {@link ChatProtocolException} with the rule {@link ChatProtocolException#BAD_LENGTH}, handled the same way.
     * {@link ChatOptions#maxMessageSize()} does not apply to frames.
     *
     * {@snippet :
     * // PostgreSQL's messages: a type byte, then an int32 length that counts itself but not the type byte.
     * channel.setTerminator(Terminator.lengthField(4).offset(1).adjustment(-4));
     * }
     *
     * @param size the length field's size in bytes: 1, 2, 4 or 8
     * @param offset the header bytes before the length field
     * @param byteOrder the length field's byte order
     * @param adjustment added to the length to give the body's size after the length field
     * @param keepHeader whether the header (offset bytes and length field) is passed to the session
     * @param maxFrameSize the largest frame accepted, header included; 0 for no limit
     */
    record LengthField(int size, int offset, ByteOrder byteOrder, long adjustment, boolean keepHeader,
                       long maxFrameSize) implements Terminator {
        /** The default {@link #maxFrameSize()}: 1 MiB. */
        public static final long DEFAULT_MAX_FRAME_SIZE = 1 << 20;

        /**
         * Checks the fields.
         *
         * @throws IllegalArgumentException if {@code size} is not 1, 2, 4 or 8, or {@code offset} or
         *     {@code maxFrameSize} is negative
         */
        public LengthField {
            if (size != 1 && size != 2 && size != 4 && size != 8) {
                throw new IllegalArgumentException("length field size not 1, 2, 4 or 8: " + size);
            }
            if (offset < 0) throw new IllegalArgumentException("offset < 0: " + offset);
            Objects.requireNonNull(byteOrder, "byteOrder");
            if (maxFrameSize < 0) throw new IllegalArgumentException("maxFrameSize < 0: " + maxFrameSize);
        }

        /**
         * Returns this frame with {@code offset} header bytes before the length field.
         *
         * @param offset the bytes before the length field, such as 1 for a type byte
         * @return a copy with that offset
         */
        public LengthField offset(int offset) {
            return new LengthField(size, offset, byteOrder, adjustment, keepHeader, maxFrameSize);
        }

        /** {@return this frame with a little-endian length field} The default is big-endian (network order). */
        public LengthField littleEndian() {
            return new LengthField(size, offset, ByteOrder.LITTLE_ENDIAN, adjustment, keepHeader,
                    maxFrameSize);
        }

        /**
         * Returns this frame with {@code adjustment} added to the length to give the body's size: {@code -size}
         * when the length counts itself.
         *
         * @param adjustment added to the length field's value; negative, zero or positive
         * @return a copy with that adjustment
         */
        public LengthField adjustment(long adjustment) {
            return new LengthField(size, offset, byteOrder, adjustment, keepHeader, maxFrameSize);
        }

        /**
         * Returns this frame passing its header to the session, or not. By default it does: the session gets
         * every byte of the frame, as sent.
         *
         * @param keepHeader false to pass the body only, dropping the offset bytes and the length field
         * @return a copy that keeps or drops the header
         */
        public LengthField keepHeader(boolean keepHeader) {
            return new LengthField(size, offset, byteOrder, adjustment, keepHeader, maxFrameSize);
        }

        /**
         * Returns this frame with a limit on the whole frame's size, header included.
         *
         * @param maxFrameSize the largest frame accepted; 0 for no limit
         * @return a copy with that limit
         * @throws IllegalArgumentException if {@code maxFrameSize} is negative
         */
        public LengthField maxFrameSize(long maxFrameSize) {
            return new LengthField(size, offset, byteOrder, adjustment, keepHeader, maxFrameSize);
        }

        /** {@return the header's size: the offset and the length field} */
        public int headerSize() {
            return offset + size;
        }
    }

    /**
     * Returns several delimiters, each text encoded as UTF-8; see {@link Delimiters} for which one ends a message.
     *
     * @param delimiters the delimiters, such as {@code "\r\n", "\n"}; none empty
     * @return a {@link Delimiters}
     * @throws IllegalArgumentException if there are none, or one is empty
     */
    static Delimiters anyOf(String... delimiters) {
        List<Delimiter> list = new ArrayList<>(delimiters.length);
        for (String d : delimiters) list.add(new Delimiter(Objects.requireNonNull(d, "delimiter")
                .getBytes(StandardCharsets.UTF_8)));
        return new Delimiters(list);
    }

    /**
     * Returns several delimiters of bytes, copied; see {@link Delimiters} for which one ends a message.
     *
     * @param delimiters the delimiters; none empty
     * @return a {@link Delimiters}
     * @throws IllegalArgumentException if there are none, or one is empty
     */
    static Delimiters anyOf(byte[]... delimiters) {
        List<Delimiter> list = new ArrayList<>(delimiters.length);
        for (byte[] d : delimiters) list.add(new Delimiter(d));
        return new Delimiters(list);
    }

    /** {@return strict {@code "\r\n"} lines, refusing a bare {@code "\r"} or {@code "\n"}; see {@link StrictLines}} */
    static StrictLines strictLines() {
        return new StrictLines();
    }

    /**
     * Returns a length-prefixed frame of a big-endian length field of {@code size} bytes at the start of the frame,
     * giving the body's size after it, header passed to the session, frames up to
     * {@link LengthField#DEFAULT_MAX_FRAME_SIZE 1 MiB}. Its withers change each of these.
     *
     * @param size the length field's size in bytes: 1, 2, 4 or 8
     * @return a {@link LengthField}
     * @throws IllegalArgumentException if {@code size} is not 1, 2, 4 or 8
     */
    static LengthField lengthField(int size) {
        return new LengthField(size, 0, ByteOrder.BIG_ENDIAN, 0, true, LengthField.DEFAULT_MAX_FRAME_SIZE);
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

package io.loomchat.bench;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatConnection;
import io.loomchat.core.ChatSession;
import io.loomchat.core.SessionFactory;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Random;

/** Test inputs and the one way every benchmark runs a connection: over in-memory streams, to the end. */
final class Inputs {
    private Inputs() {
    }

    /** Bytes of input per benchmark invocation: large enough that starting a connection is noise. */
    static final int INPUT_BYTES = 8 * 1024 * 1024;

    /**
     * Returns {@code total} bytes of messages, each {@code messageSize} bytes long including the delimiter that
     * ends it; the bodies are random lower-case letters, so they never contain a delimiter byte.
     */
    static byte[] delimited(int total, int messageSize, byte[] delimiter) {
        byte[] input = new byte[total];
        Random random = new Random(42);
        for (int i = 0; i < total; i++) input[i] = (byte) ('a' + random.nextInt(26));
        for (int end = messageSize; end <= total; end += messageSize) {
            System.arraycopy(delimiter, 0, input, end - delimiter.length, delimiter.length);
        }
        return input;
    }

    /** Returns the delimiter of that many bytes: {@code \n}, {@code \r\n}, or {@code \r\n\r\n}. */
    static byte[] delimiter(int length) {
        return switch (length) {
            case 1 -> new byte[] {'\n'};
            case 2 -> new byte[] {'\r', '\n'};
            case 4 -> new byte[] {'\r', '\n', '\r', '\n'};
            default -> throw new IllegalArgumentException("delimiter length not 1, 2 or 4: " + length);
        };
    }

    /** Runs {@code factory}'s session over {@code input} until the input ends and the output is written. */
    static void run(byte[] input, OutputStream out, SessionFactory factory) throws InterruptedException {
        ChatConnection connection = ChatConnection.start(new ByteArrayInputStream(input), out, factory);
        if (!connection.awaitClosed(Duration.ofMinutes(1))) {
            connection.close();
            throw new IllegalStateException("the connection did not finish in a minute");
        }
    }

    /** A session that only counts: the least work a session can do with what the reader hands it. */
    static class Counting implements ChatSession {
        long bytes;
        long terminators;

        @Override
        public void collectIncomingData(byte[] data) {
            bytes += data.length;
        }

        @Override
        public void foundTerminator() {
            terminators++;
        }

        /** Returns a factory that sets {@code terminator} and hands each session to {@code sink}. */
        static SessionFactory factory(byte[] delimiter, java.util.function.Consumer<Counting> sink) {
            return factory(delimiter, false, sink);
        }

        /** As {@link #factory(byte[], java.util.function.Consumer)}; {@code inPlace} takes input as ranges. */
        static SessionFactory factory(byte[] delimiter, boolean inPlace, java.util.function.Consumer<Counting> sink) {
            return (ChatChannel channel) -> {
                channel.setTerminator(delimiter);
                Counting session = inPlace ? new InPlace() : new Counting();
                sink.accept(session);
                return session;
            };
        }
    }

    /** Counts input taken in place, as a range of the reader's buffer: no array per piece. */
    static final class InPlace extends Counting {
        @Override
        public void collectIncomingData(byte[] buffer, int offset, int length) {
            bytes += length;
        }
    }
}

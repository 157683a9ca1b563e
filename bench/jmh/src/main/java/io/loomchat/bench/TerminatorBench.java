package io.loomchat.bench;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatSession;
import io.loomchat.core.SessionFactory;
import io.loomchat.core.Terminator;
import io.loomchat.core.internal.Bytes;
import io.loomchat.core.internal.DelimiterSet;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The terminators beyond asynchat beside the classic delimiter, in bytes per microsecond (= MB/s): the same
 * {@code "\r\n"} lines read under {@code Terminator.delimiter("\r\n")} (the classic one), {@code anyOf("\r\n",
 * "\n")} (two first bytes: eight bytes at a time against each), {@code anyOf} five delimiters of five first
 * bytes (a table lookup per byte), and {@code strictLines()}; and length-prefixed frames of the same size.
 *
 * <p>{@link #read} runs the whole public path, as {@link ReaderBench#delimited}; {@link #searchOnly} the search
 * alone over each message, as {@link ReaderBench#indexOfOnly}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class TerminatorBench {
    /** The terminator: delimiter, anyOf2, anyOf5, strictLines, lengthField. */
    @Param({"delimiter", "anyOf2", "anyOf5", "strictLines", "lengthField"})
    public String kind;
    /** Message length in bytes, its end (delimiter or header) included. */
    @Param({"64", "1024", "65536"})
    public int messageSize;

    private static final byte[] CRLF = {'\r', '\n'};
    private byte[] input;
    private Terminator terminator;
    private DelimiterSet set;

    /** Builds the input once per trial: {@code "\r\n"} lines, or frames of a 4-byte length. */
    @Setup(Level.Trial)
    public void setUp() {
        input = Inputs.delimited(Inputs.INPUT_BYTES, messageSize, CRLF);
        if (kind.equals("lengthField")) {
            for (int at = 0; at < input.length; at += messageSize) {
                int body = messageSize - 4;
                input[at] = (byte) (body >>> 24);
                input[at + 1] = (byte) (body >>> 16);
                input[at + 2] = (byte) (body >>> 8);
                input[at + 3] = (byte) body;
                input[at + messageSize - 2] = 'a';
                input[at + messageSize - 1] = 'a';
            }
        }
        terminator = switch (kind) {
            case "delimiter" -> Terminator.delimiter("\r\n");
            case "anyOf2" -> Terminator.anyOf("\r\n", "\n");
            case "anyOf5" -> Terminator.anyOf("\r\n", ";", ",", "|", "<END>");
            case "strictLines" -> Terminator.strictLines();
            case "lengthField" -> Terminator.lengthField(4).keepHeader(false).maxFrameSize(0);
            default -> throw new IllegalArgumentException(kind);
        };
        if (terminator instanceof Terminator.Delimiters d) {
            set = new DelimiterSet(d.delimiters().stream().map(Terminator.Delimiter::bytes).toList());
        } else if (terminator instanceof Terminator.StrictLines) {
            set = new DelimiterSet(List.of("\r".getBytes(StandardCharsets.US_ASCII), "\n".getBytes(StandardCharsets.US_ASCII)));
        }
    }

    /** Reads the input under the terminator through a connection: search, copy per collected piece, callbacks. */
    @Benchmark
    @OperationsPerInvocation(Inputs.INPUT_BYTES)
    public long read() throws InterruptedException {
        long[] counts = new long[2];
        SessionFactory factory = (ChatChannel channel) -> {
            channel.setTerminator(terminator);
            return new ChatSession() {
                @Override
                public void collectIncomingData(byte[] data) {
                    counts[0] += data.length;
                }

                @Override
                public void foundTerminator() {
                    counts[1]++;
                }
            };
        };
        Inputs.run(input, OutputStream.nullOutputStream(), factory);
        if (counts[1] != Inputs.INPUT_BYTES / messageSize) throw new AssertionError(kind + ": " + counts[1]);
        return counts[0];
    }

    /**
     * The search alone over each message: {@code Bytes.indexOf} for the classic delimiter, the set's for several
     * delimiters and strict lines; for frames, reading each length field (a frame needs no search).
     */
    @Benchmark
    @OperationsPerInvocation(Inputs.INPUT_BYTES)
    public long searchOnly() {
        long found = 0;
        if (kind.equals("lengthField")) {
            for (int at = 0; at < input.length; ) {
                int length = (input[at] & 0xff) << 24 | (input[at + 1] & 0xff) << 16 | (input[at + 2] & 0xff) << 8
                        | input[at + 3] & 0xff;
                found += at;
                at += 4 + length;
            }
        } else if (set == null) {
            for (int from = 0; from < input.length; from += messageSize) {
                found += Bytes.indexOf(input, from, from + messageSize, CRLF);
            }
        } else {
            for (int from = 0; from < input.length; from += messageSize) {
                found += set.find(input, from, from + messageSize) >>> 32;
            }
        }
        return found;
    }
}

package io.loomchat.bench;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatSession;
import io.loomchat.core.SessionFactory;
import io.loomchat.core.internal.Bytes;
import java.io.OutputStream;
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
 * The reader's throughput over an in-memory stream, in bytes per microsecond (= MB/s): the whole public path,
 * {@code ChatConnection.start} with the default options (4 KiB input buffer), a session that only counts.
 *
 * <p>Each invocation reads {@link Inputs#INPUT_BYTES} of input, so one "operation" is one byte of input.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class ReaderBench {
    /** Delimiter length: {@code \n}, {@code \r\n}, {@code \r\n\r\n}. */
    @Param({"1", "2", "4"})
    public int delimiterLength;
    /** Message length in bytes, delimiter included. */
    @Param({"64", "1024", "65536"})
    public int messageSize;

    private byte[] delimiter;
    private byte[] input;
    private Inputs.Counting last;

    /** Builds the input once per trial. */
    @Setup(Level.Trial)
    public void setUp() {
        delimiter = Inputs.delimiter(delimiterLength);
        input = Inputs.delimited(Inputs.INPUT_BYTES, messageSize, delimiter);
    }

    /** Splits the input at the delimiter: a delimiter search per buffer, a copy per collected piece. */
    @Benchmark
    @OperationsPerInvocation(Inputs.INPUT_BYTES)
    public long delimited() throws InterruptedException {
        Inputs.run(input, OutputStream.nullOutputStream(), Inputs.Counting.factory(delimiter, s -> last = s));
        if (last.terminators != Inputs.INPUT_BYTES / messageSize) throw new AssertionError(last.terminators);
        return last.bytes;
    }

    /** As {@link #delimited()}, with a session that takes its input in place: no array per collected piece. */
    @Benchmark
    @OperationsPerInvocation(Inputs.INPUT_BYTES)
    public long delimitedInPlace() throws InterruptedException {
        Inputs.run(input, OutputStream.nullOutputStream(), Inputs.Counting.factory(delimiter, true, s -> last = s));
        if (last.terminators != Inputs.INPUT_BYTES / messageSize) throw new AssertionError(last.terminators);
        return last.bytes;
    }

    /** The delimiter search alone, {@code Bytes.indexOf} over one message: what the reader does per buffer. */
    @Benchmark
    @OperationsPerInvocation(Inputs.INPUT_BYTES)
    public long indexOfOnly() {
        long found = 0;
        for (int from = 0; from < input.length; from += messageSize) {
            found += Bytes.indexOf(input, from, from + messageSize, delimiter);
        }
        return found;
    }

    /**
     * Count terminators on large payloads (the delimiter parameter is unused here): messages of
     * {@code messageSize} bytes read under {@code Terminator.count}, as a RESP server reads bulk values.
     */
    @Benchmark
    @OperationsPerInvocation(Inputs.INPUT_BYTES)
    public long counted() throws InterruptedException {
        long[] found = new long[1];
        SessionFactory factory = (ChatChannel channel) -> {
            channel.setTerminator(messageSize);
            return new ChatSession() {
                @Override
                public void collectIncomingData(byte[] data) {
                    found[0] += data.length;
                }

                @Override
                public void foundTerminator() {
                    channel.setTerminator(messageSize);
                }
            };
        };
        Inputs.run(input, OutputStream.nullOutputStream(), factory);
        if (found[0] != Inputs.INPUT_BYTES) throw new AssertionError(found[0]);
        return found[0];
    }
}

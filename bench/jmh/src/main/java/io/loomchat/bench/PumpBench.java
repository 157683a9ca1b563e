package io.loomchat.bench;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatSession;
import io.loomchat.core.SessionFactory;
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
 * Messages per second through {@code push} and the pump to a null output stream: the session pushes
 * {@link #MESSAGES} messages from {@code opened()}, while the pump thread writes them; the input is empty, so
 * the connection closes once they are written. One operation is one message.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class PumpBench {
    static final int MESSAGES = 10_000;

    /** Message size in bytes: a small reply and a large one. */
    @Param({"64", "16384"})
    public int messageSize;

    private byte[] message;

    /** Makes the message once per trial. */
    @Setup(Level.Trial)
    public void setUp() {
        message = Inputs.delimited(messageSize, messageSize, Inputs.delimiter(2));
    }

    /** Pushes the messages one by one; each push copies into the output queue, the pump writes batches. */
    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public void push() throws InterruptedException {
        SessionFactory factory = (ChatChannel channel) -> new ChatSession() {
            @Override
            public void opened() {
                for (int i = 0; i < MESSAGES; i++) channel.push(message);
            }

            @Override
            public void collectIncomingData(byte[] data) {
            }

            @Override
            public void foundTerminator() {
            }
        };
        Written out = new Written();
        Inputs.run(new byte[0], out, factory);
        if (out.bytes != (long) MESSAGES * messageSize) throw new AssertionError(out.bytes);
    }

    /** A null output stream that counts, so the benchmark fails if anything was not written. */
    private static final class Written extends OutputStream {
        long bytes;

        @Override
        public void write(int b) {
            bytes++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes += len;
        }
    }
}

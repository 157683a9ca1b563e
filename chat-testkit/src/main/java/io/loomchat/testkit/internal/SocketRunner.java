package io.loomchat.testkit.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;

/**
 * Runs fragmentations over TCP: a new connection each, every fragment one flushed write with TCP_NODELAY, then
 * a half-close, then everything the server sends until it closes. A loomchat server closes a connection once
 * it has written the output for input that ended, so every run ends the same way.
 */
public final class SocketRunner implements Runner {
    private final String host;
    private final int port;
    private final Duration timeout;
    private final Pacing pacing;

    /** When the next fragment may be written, and what is done around each run. */
    public interface Pacing {
        /** Returns whether each fragment is known to be read on its own, as {@link PacedServer} makes sure. */
        boolean exact();

        /** Called before a run connects. */
        void beforeRun();

        /** Called after a fragment was written, {@code total} bytes in all; returns when the next may go. */
        void written(long total, long deadline) throws InterruptedException;

        /** Called after a run: returns once the server is done with it, where that can be known. */
        void afterRun();
    }

    /** Returns a runner against {@code host:port}; each run waits at most {@code timeout} for the server. */
    public SocketRunner(String host, int port, Duration timeout, Pacing pacing) {
        this.host = host;
        this.port = port;
        this.timeout = timeout;
        this.pacing = pacing;
    }

    @Override
    public Outcome run(List<byte[]> fragments, boolean endInput) {
        pacing.beforeRun();
        try {
            return runOnce(fragments);
        } finally {
            pacing.afterRun();
        }
    }

    private Outcome runOnce(List<byte[]> fragments) {
        StringBuilder exchange = new StringBuilder();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            socket.setTcpNoDelay(true);
            write(socket, fragments, exchange);
            StringBuilder result = new StringBuilder();
            byte[] received = readToEnd(socket, result);
            StringBuilder lines = new StringBuilder();
            Transcript.appendLines(lines, "< ", received);
            exchange.append(lines).append(result);
            return new Outcome(lines.append(result).toString(), exchange.toString());
        } catch (IOException e) {
            String failure = "# cannot connect to " + describe() + ": " + e + "\n";
            return new Outcome(failure, failure);
        }
    }

    /** Writes each fragment and half-closes; a server that closed early makes the rest fail, which is noted. */
    private void write(Socket socket, List<byte[]> fragments, StringBuilder exchange) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long total = 0;
        try {
            OutputStream out = socket.getOutputStream();
            for (byte[] fragment : fragments) {
                Transcript.appendLine(exchange, "> ", fragment, 0, fragment.length);
                out.write(fragment);
                out.flush();
                total += fragment.length;
                pacing.written(total, deadline);
            }
            exchange.append(">EOF\n");
            socket.shutdownOutput();
        } catch (IOException e) {
            exchange.append("# writing failed: ").append(e).append('\n');
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.append("# interrupted while writing\n");
        }
    }

    /** Reads until the server closes or the timeout passes; says which in {@code ending}. */
    private byte[] readToEnd(Socket socket, StringBuilder ending) throws IOException {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        long deadline = System.nanoTime() + timeout.toNanos();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[8192];
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                ending.append("# no end of stream within ").append(Durations.text(timeout)).append('\n');
                break;
            }
            socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
            int n;
            try {
                n = in.read(buffer);
            } catch (SocketTimeoutException e) {
                continue;
            } catch (IOException e) {
                ending.append("# reading failed: ").append(e.getMessage()).append('\n');
                break;
            }
            if (n < 0) {
                ending.append("<EOF\n");
                break;
            }
            received.write(buffer, 0, n);
        }
        return received.toByteArray();
    }

    @Override
    public boolean endsInput(boolean requested) {
        return true;
    }

    @Override
    public String describe() {
        return "over TCP to " + host + ":" + port + (pacing.exact() ? ", each fragment read on its own"
                : ", fragments written 1 ms apart");
    }

    @Override
    public String reproduce() {
        if (pacing.exact()) {
            return "To reproduce, replay this transcript with SessionHarness.start(factory).conversation()"
                    + ".replay(transcript), where each > line is one read (or over TCP, where writes may merge):";
        }
        return "To reproduce, replay this transcript with Conversation.connect(\"" + host + "\", port)"
                + ".replay(transcript) (each > line is one write; TCP may merge them):";
    }
}

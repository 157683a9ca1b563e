package io.loomchat.server.faults;

import io.loomchat.server.faults.StallRequests.Request;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One connection of a {@link StallClient}: a writer (the client's thread) pipelines batches of up to 8 requests
 * in one write each, at most 24 unanswered; a reader thread checks every line against what was asked, in order,
 * and sometimes stops reading for a while. The connection ends with {@code Q}: the goodbye must count the
 * broadcasts heard, every "~" reply must have come before it, and the end of stream after it.
 */
final class StallConversation {
    private static final int WINDOW = 24;
    private static final int MAX_BATCH = 8;
    /** How long a full window may wait for a reply before the writer gives up (the monitor reports first). */
    private static final long WINDOW_WAIT_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final StallClient client;
    private final Socket socket;
    private final Random random;
    private final Random readerRandom;
    private final Queue<Request> expected = new ConcurrentLinkedQueue<>();
    private final Set<Integer> laters = ConcurrentHashMap.newKeySet();
    private final Semaphore window = new Semaphore(WINDOW);
    private final int localPort;
    private volatile Throwable readerFailure;
    private volatile boolean readerDone;
    /** Broadcast lines heard. Reader thread only. */
    private long heard;
    /** What the reader does now, and how much of the line it waits for it has: for a stall report. */
    private volatile String readerState = "starting";
    private volatile int partial;
    /** Bytes read on this connection: against what the server says it wrote. Reader thread only. */
    private volatile long bytesIn;
    private final byte[] in = new byte[64 * 1024];
    private int pos;
    private int limit;
    private byte[] line = new byte[1024];

    StallConversation(StallClient client, Socket socket, Random random) {
        this.client = client;
        this.socket = socket;
        this.random = random;
        this.readerRandom = new Random(random.nextLong());
        this.localPort = socket.getLocalPort();
    }

    int localPort() {
        return localPort;
    }

    /** Runs the conversation to its goodbye and end of stream; throws what the reader found wrong. */
    void run() throws Exception {
        Thread reader = Thread.ofVirtual().name("stall-client-" + client.id + "-reader").start(this::readAll);
        try {
            converse(socket.getOutputStream());
        } catch (IOException e) {
            if (readerFailure == null && !client.aborted()) throw e;
        }
        // The reader ends at the end of stream, a failure, or a read timeout.
        Duration bound = Duration.ofNanos(client.readTimeoutNanos()).plusSeconds(5);
        if (!reader.join(bound)) throw new AssertionError(who() + ": the reader did not end within " + bound);
        if (readerFailure != null && !client.aborted()) throw new AssertionError(who(), readerFailure);
    }

    private void converse(OutputStream out) throws IOException, InterruptedException {
        int seq = 0;
        int batches = 5 + random.nextInt(56);
        for (int b = 0; b < batches && !client.timeUp(); b++) {
            int k = 1 + random.nextInt(MAX_BATCH);
            if (!acquire(k)) return;
            ByteArrayOutputStream batch = new ByteArrayOutputStream();
            int asked = 0;
            for (int i = 0; i < k; i++) {
                Request r = StallRequests.random(random, ++seq);
                expected.add(r);
                if (r.kind() == 'L') {
                    laters.add(r.seq());
                    asked++;
                }
                asked++;
                batch.writeBytes(r.bytes());
            }
            client.asked(asked);
            // Pipelined: the whole batch in one write. A socket write has no timeout: one blocked by a server that
            // stopped reading ends when the hunt stops this client (StallClient.abort closes the socket).
            out.write(batch.toByteArray());
            if (random.nextInt(20) == 0) Thread.sleep(1 + random.nextInt(20));  // the workload: a writer that pauses
        }
        if (!acquire(1)) return;
        Request quit = StallRequests.quit(++seq);
        expected.add(quit);
        client.asked(2);  // the goodbye, and the end of stream after it
        out.write(quit.bytes());
    }

    /** Takes {@code k} places in the window; false if the reader ended or the hunt stopped meanwhile. */
    private boolean acquire(int k) throws InterruptedException {
        long deadline = System.nanoTime() + WINDOW_WAIT_NANOS;
        while (!window.tryAcquire(k, 100, TimeUnit.MILLISECONDS)) {
            if (readerDone || client.aborted()) return false;
            if (System.nanoTime() > deadline) {
                throw new AssertionError(who() + ": no reply for 60 s with a full window");
            }
        }
        return !readerDone && !client.aborted();
    }

    private void readAll() {
        try {
            InputStream stream = socket.getInputStream();
            boolean bye = false;
            for (int n; ; ) {
                readerState = "reading";
                n = readLine(stream);
                if (n < 0) {
                    if (!bye) throw new AssertionError("end of stream while waiting for " + describe(expected.peek()));
                    client.received('e', "the end of stream");
                    return;
                }
                if (bye) throw new AssertionError("a line after the goodbye: " + Escaped.excerpt(line, 0, n));
                switch (line[0]) {
                    case '*' -> heard(n);
                    case '~' -> later(n);
                    default -> bye = inOrder(n);
                }
                if (readerRandom.nextInt(400) == 0) {
                    readerState = "pausing";
                    Thread.sleep(50 + readerRandom.nextInt(350));  // the workload: a client that stops reading
                    client.pausedReading();
                }
            }
        } catch (Throwable t) {
            readerFailure = t;
        } finally {
            readerState = "ended";
            readerDone = true;
        }
    }

    /** Checks a reply against the oldest request unanswered; returns whether it was the goodbye. */
    private boolean inOrder(int n) {
        Request r = expected.poll();
        if (r == null) throw new AssertionError("a reply nobody asked for: " + Escaped.excerpt(line, 0, n));
        window.release();
        if (r.kind() == 'Q') {
            int head = r.reply().length;
            String count = n < head ? "" : new String(line, head, n - head, StandardCharsets.US_ASCII);
            if (!Arrays.equals(line, 0, Math.min(n, head), r.reply(), 0, head) || !count.equals(Long.toString(heard))) {
                throw new AssertionError("expected the goodbye \"" + new String(r.reply(), StandardCharsets.US_ASCII)
                        + heard + "\" (the broadcasts heard), got \"" + Escaped.excerpt(line, 0, n) + "\"");
            }
            if (!laters.isEmpty()) throw new AssertionError("the goodbye came before the later replies " + laters);
        } else if (!Arrays.equals(line, 0, n, r.reply(), 0, r.reply().length)) {
            throw new AssertionError("reply to " + describe(r) + ": " + Escaped.difference(r.reply(), line, n));
        }
        client.received('r', r.kind() + " " + r.seq());
        return r.kind() == 'Q';
    }

    private void later(int n) {
        int seq = Integer.parseInt(new String(line, 1, n - 1, StandardCharsets.US_ASCII));
        if (!laters.remove(seq)) throw new AssertionError("\"~" + seq + "\" not asked for, or twice");
        client.received('l', "~" + seq);
    }

    private void heard(int n) {
        int space = 1;
        while (space < n && line[space] != ' ') space++;
        int seq = Integer.parseInt(new String(line, 1, space - 1, StandardCharsets.US_ASCII));
        if (space == n || !StallRequests.isFill(line, space + 1, n, seq)) {
            throw new AssertionError("a torn broadcast: " + Escaped.excerpt(line, 0, n));
        }
        heard++;
        client.heard();
    }

    /** Reads one line into {@link #line}, returning its length without the newline, or -1 at end of stream. */
    private int readLine(InputStream stream) throws IOException {
        int length = 0;
        while (true) {
            if (pos == limit) {
                partial = length;
                int r = stream.read(in, 0, in.length);
                if (r < 0) {
                    if (length == 0) return -1;
                    throw new AssertionError("end of stream inside a line: " + Escaped.excerpt(line, 0, length));
                }
                pos = 0;
                limit = r;
                bytesIn += r;
            }
            int nl = pos;
            while (nl < limit && in[nl] != '\n') nl++;
            int needed = length + nl - pos;
            if (needed > line.length) line = Arrays.copyOf(line, Math.max(2 * line.length, needed));
            System.arraycopy(in, pos, line, length, nl - pos);
            length += nl - pos;
            pos = nl < limit ? nl + 1 : limit;
            if (nl < limit) return length;
        }
    }

    void closeSocket() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing to stop it: nothing to add
        }
    }

    /** {@return what this connection waits for, for a stall report} */
    String describe() {
        return "port " + localPort + ": waits for " + describe(expected.peek()) + " (" + expected.size()
                + " unanswered, later replies pending " + laters + "), its reader is " + readerState + " with "
                + partial + " bytes of the line, " + bytesIn + " bytes read in all, " + readable()
                + " bytes readable now";
    }

    /** {@return what the socket holds for the reader: more than 0 while it waits in a read means it was not woken} */
    private String readable() {
        try {
            return Integer.toString(socket.getInputStream().available());
        } catch (IOException e) {
            return "? (" + e + ")";
        }
    }

    private static String describe(Request r) {
        if (r == null) return "nothing";
        return "the reply to " + r.kind() + " " + r.seq() + " (" + (r.reply().length + 1) + " bytes)";
    }

    private String who() {
        return "client " + client.id + " (port " + localPort + ")";
    }
}

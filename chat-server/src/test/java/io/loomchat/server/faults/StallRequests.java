package io.loomchat.server.faults;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

/**
 * The stall hunt's protocol, as the client writes it: each request one line (a body after it for {@code D}),
 * each with the one reply line it must get, so the client checks every byte and the order. Replies begin with
 * the request's sequence number; lines the server sends unasked begin with {@code *} (a broadcast from another
 * connection) or {@code ~} (a reply pushed later by another thread).
 *
 * <pre>
 *   E seq text       the callback pushes "seq text": the connection thread writes it itself (write-through)
 *   B seq n          one push of n bytes, over the watermarks: the pump writes it, and the next push waits
 *   P seq n s|b      pushWithProducer: a simple producer, or one that blocks a little between chunks
 *   D seq n\n BODY   an upload under a count terminator (memcached's "set"); reply "seq stored n"
 *   S seq ms         pushes "seq slept", then sleeps: a reply held by a callback that has not returned
 *   H seq ms         another thread pushes "seq helped" while the callback waits for it
 *   L seq ms         "seq later" at once; another thread pushes "~seq" ms later, after the callback returned
 *   C seq k n        pushes a line of n bytes to k other connections, each push waiting for their drains
 *   Q seq            "seq bye COUNT" (the broadcasts pushed to this connection), then closeWhenDone
 * </pre>
 */
final class StallRequests {
    private StallRequests() {
    }

    /**
     * One request and what it must get.
     *
     * @param bytes the request as written
     * @param reply the reply line it must get, without its newline; for {@code Q}, up to the count
     * @param kind the command letter
     * @param seq its number on this connection
     */
    record Request(byte[] bytes, byte[] reply, char kind, int seq) {
    }

    /** The body of request {@code seq} of {@code n} bytes, which both sides compute: lower-case letters. */
    static byte[] fill(int seq, int n) {
        byte[] bytes = new byte[n];
        for (int i = 0; i < n; i++) bytes[i] = (byte) ('a' + (seq * 7 + i) % 26);
        return bytes;
    }

    /** Whether {@code bytes[from, to)} is the fill of {@code seq}. */
    static boolean isFill(byte[] bytes, int from, int to, int seq) {
        for (int i = from; i < to; i++) {
            if (bytes[i] != (byte) ('a' + (seq * 7 + i - from) % 26)) return false;
        }
        return true;
    }

    /** A random request of any kind but {@code Q}; its weights give write-through the largest share. */
    static Request random(Random random, int seq) {
        int roll = random.nextInt(100);
        if (roll < 34) return echo(random, seq);
        if (roll < 44) return sized('B', seq, 2_000 + random.nextInt(38_000), "");
        if (roll < 52) return sized('P', seq, 500 + random.nextInt(30_000), random.nextBoolean() ? " s" : " b");
        // Small uploads go through the read buffer; from 4 KiB on, once all here, straight into the session's array.
        if (roll < 60) return upload(seq, random.nextBoolean() ? 10 + random.nextInt(3_000)
                : 4_096 + random.nextInt(40_000));
        if (roll < 67) return simple('S', seq, random.nextInt(120), "slept");
        if (roll < 75) return simple('H', seq, random.nextInt(30), "helped");
        if (roll < 88) return simple('L', seq, random.nextInt(200), "later");
        int n = random.nextInt(4) == 0 ? 8_000 + random.nextInt(8_000) : 10 + random.nextInt(300);
        return line('C', seq, (1 + random.nextInt(3)) + " " + n, seq + " told");
    }

    static Request quit(int seq) {
        return line('Q', seq, "", seq + " bye ");
    }

    private static Request echo(Random random, int seq) {
        char[] text = new char[1 + random.nextInt(120)];
        for (int i = 0; i < text.length; i++) text[i] = (char) ('A' + random.nextInt(26));
        String t = new String(text);
        return line('E', seq, t, seq + " " + t);
    }

    /** {@return the reply to a {@code B} or {@code P} request, as the server pushes it: "seq FILL\n"} */
    static byte[] sizedReply(int seq, int n) {
        byte[] head = text(seq + " ");
        byte[] reply = Arrays.copyOf(head, head.length + n + 1);
        System.arraycopy(fill(seq, n), 0, reply, head.length, n);
        reply[reply.length - 1] = '\n';
        return reply;
    }

    private static Request sized(char kind, int seq, int n, String suffix) {
        byte[] reply = sizedReply(seq, n);
        return new Request(text(kind + " " + seq + " " + n + suffix + "\n"), Arrays.copyOf(reply, reply.length - 1),
                kind, seq);
    }

    private static Request upload(int seq, int n) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(text("D " + seq + " " + n + "\n"));
        bytes.writeBytes(fill(seq, n));
        return new Request(bytes.toByteArray(), text(seq + " stored " + n), 'D', seq);
    }

    private static Request simple(char kind, int seq, int millis, String word) {
        return line(kind, seq, Integer.toString(millis), seq + " " + word);
    }

    private static Request line(char kind, int seq, String args, String reply) {
        String request = kind + " " + seq + (args.isEmpty() ? "" : " " + args) + "\n";
        return new Request(text(request), text(reply), kind, seq);
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}

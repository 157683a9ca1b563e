package io.loomchat.server.faults;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatSession;
import io.loomchat.core.Producer;
import io.loomchat.core.Producers;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The stall hunt's server side: every connection a member of one room, speaking {@link StallRequests}' protocol
 * so that each output path of a connection is taken, by its own thread and by others. A member remembers what it
 * is doing, so a stall report can say what the server side of a stuck client was up to.
 */
final class StallRoom {
    /** The longest a callback waits for a helper thread's push, or a quit for the pushes still to come. */
    private static final long WAIT_SECONDS = 60;

    private final List<Member> members = new CopyOnWriteArrayList<>();
    /** Members by their peer's port: the client's local port names its server side in a stall report. */
    private final Map<Integer, Member> byPeerPort = new ConcurrentHashMap<>();
    private final Queue<String> failures = new ConcurrentLinkedQueue<>();
    /** Broadcast lines pushed to an open member, across the run. */
    private final AtomicLong told = new AtomicLong();
    /** Requests handled across the run: the one numbered {@link #hangAt} waits for {@link #stop()}. */
    private final AtomicLong requests = new AtomicLong();
    private final long hangAt;
    private final CountDownLatch stopped = new CountDownLatch(1);

    /**
     * Makes a room.
     *
     * @param hangAt the request whose callback waits until {@link #stop()} (or 60 s): a stall to be seen; 0 for none
     */
    StallRoom(long hangAt) {
        this.hangAt = hangAt;
    }

    /** Ends the wait of the request that hangs, if one does. */
    void stop() {
        stopped.countDown();
    }

    ChatSession join(ChatChannel channel) {
        return new Member(channel);
    }

    /** {@return what went wrong on the server side: a bad request, a wait that timed out, a callback that threw} */
    List<String> failures() {
        return List.copyOf(failures);
    }

    long told() {
        return told.get();
    }

    /** {@return the server side of the client on local port {@code port}: its thread and what it does, or null} */
    String describePeer(int port) {
        Member m = byPeerPort.get(port);
        if (m == null) return null;
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - m.doingSince);
        return m.thread + " " + (m.doing == null ? "between requests" : "in \"" + m.doing + "\"") + " since " + ms
                + " ms, " + m.handled + " requests handled\n    its output: " + OutputState.of(m.channel);
    }

    /** {@return the connection thread of the client on local port {@code port}, or null} */
    String threadOf(int port) {
        Member m = byPeerPort.get(port);
        return m == null ? null : m.thread;
    }

    /** One connection's session. Its callbacks run on the connection thread; helpers and other members push. */
    private final class Member implements ChatSession {
        private final ChatChannel channel;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        /** Guards open, toldHere and laters: a quit counts what others pushed before it. */
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition latersDone = lock.newCondition();
        private boolean open = true;
        private long toldHere;
        private int laters;
        /** The sequence number of the upload whose body is being read, or -1. Connection thread only. */
        private int uploadSeq = -1;
        private volatile String thread = "?";
        private volatile String doing;
        private volatile long doingSince = System.nanoTime();
        private volatile long handled;

        Member(ChatChannel channel) {
            this.channel = channel;
            channel.setTerminator("\n");
        }

        @Override
        public void opened() {
            thread = Thread.currentThread().getName();
            if (channel.remoteAddress() instanceof InetSocketAddress peer) byPeerPort.put(peer.getPort(), this);
            members.add(this);
        }

        @Override
        public void collectIncomingData(byte[] data) {
            line.writeBytes(data);
        }

        @Override
        public void foundTerminator() {
            byte[] got = line.toByteArray();
            line.reset();
            if (uploadSeq >= 0) {
                stored(got);
                return;
            }
            String request = new String(got, StandardCharsets.US_ASCII);
            doing = request;
            doingSince = System.nanoTime();
            try {
                if (requests.incrementAndGet() == hangAt) hang();
                handle(request.split(" "));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();  // the server is closing: it interrupts callbacks that wait
            } finally {
                handled++;
                doing = null;
                doingSince = System.nanoTime();
            }
        }

        private void handle(String[] words) throws InterruptedException {
            int seq = Integer.parseInt(words[1]);
            switch (words[0]) {
                case "E" -> channel.push(seq + " " + words[2] + "\n");
                case "B" -> big(seq, Integer.parseInt(words[2]));
                case "P" -> {
                    byte[] reply = StallRequests.sizedReply(seq, Integer.parseInt(words[2]));
                    channel.pushWithProducer(producer(reply, words[3]));
                }
                case "D" -> {
                    uploadSeq = seq;
                    channel.setTerminator(Long.parseLong(words[2]));
                }
                case "S" -> {
                    channel.push(seq + " slept\n");
                    Thread.sleep(Long.parseLong(words[2]));  // the workload: a callback slow after it pushed
                }
                case "H" -> helped(seq, Long.parseLong(words[2]));
                case "L" -> later(seq, Long.parseLong(words[2]));
                case "C" -> tell(seq, Integer.parseInt(words[2]), Integer.parseInt(words[3]));
                case "Q" -> quit(seq);
                default -> throw new IllegalArgumentException("unknown request: " + String.join(" ", words));
            }
        }

        /** Waits for the room to stop: a session that does not answer, for the test that the hunt sees it. */
        private void hang() throws InterruptedException {
            if (!stopped.await(WAIT_SECONDS, TimeUnit.SECONDS)) throw new IllegalStateException("never stopped");
        }

        private void big(int seq, int n) {
            byte[] reply = StallRequests.sizedReply(seq, n);
            if (seq % 2 == 0) channel.push(reply);
            else channel.pushWithoutCopy(reply);
        }

        private void stored(byte[] body) {
            int seq = uploadSeq;
            uploadSeq = -1;
            channel.setTerminator("\n");
            boolean intact = StallRequests.isFill(body, 0, body.length, seq);
            channel.push(seq + (intact ? " stored " : " corrupt ") + body.length + "\n");
        }

        /** A helper thread pushes the reply while this callback waits for it. */
        private void helped(int seq, long millis) throws InterruptedException {
            CountDownLatch pushed = new CountDownLatch(1);
            Thread.ofVirtual().name("stall-helper").start(() -> {
                pause(millis);
                channel.push(seq + " helped\n");
                pushed.countDown();
            });
            if (!pushed.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("H " + seq + ": the helper's push took over " + WAIT_SECONDS + " s");
            }
        }

        /** Replies now, and has a helper thread push "~seq" after {@code millis}, when this callback is long gone. */
        private void later(int seq, long millis) {
            channel.push(seq + " later\n");
            lock.lock();
            try {
                laters++;
            } finally {
                lock.unlock();
            }
            Thread.ofVirtual().name("stall-later").start(() -> {
                pause(millis);
                lock.lock();
                try {
                    if (open) channel.push("~" + seq + "\n");
                } finally {
                    laters--;
                    latersDone.signalAll();
                    lock.unlock();
                }
            });
        }

        /** Pushes a line to {@code k} other members; each push may wait for that member's queue to drain. */
        private void tell(int seq, int k, int n) {
            List<Member> others = new ArrayList<>(members);
            others.remove(this);
            Collections.shuffle(others, ThreadLocalRandom.current());
            byte[] message = ("*" + seq + " " + new String(StallRequests.fill(seq, n), StandardCharsets.US_ASCII)
                    + "\n").getBytes(StandardCharsets.US_ASCII);
            for (Member other : others.subList(0, Math.min(k, others.size()))) other.hear(message);
            channel.push(seq + " told\n");
        }

        private void hear(byte[] message) {
            lock.lock();
            try {
                if (!open) return;
                channel.push(message);
                toldHere++;
                told.incrementAndGet();
            } finally {
                lock.unlock();
            }
        }

        /** Waits for the "~" pushes still to come, then says how many broadcasts came before the goodbye. */
        private void quit(int seq) throws InterruptedException {
            long count;
            lock.lock();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
                while (laters > 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new IllegalStateException("Q " + seq + ": " + laters + " later pushes still pending");
                    }
                    latersDone.awaitNanos(left);
                }
                open = false;
                count = toldHere;
            } finally {
                lock.unlock();
            }
            channel.push(seq + " bye " + count + "\n");
            channel.closeWhenDone();
        }

        @Override
        public void handleError(ChatChannel channel, Throwable error) {
            failures.add(thread + " " + channel.remoteAddress() + ": " + error);
            channel.close();
        }

        @Override
        public void closed() {
            lock.lock();
            try {
                open = false;
            } finally {
                lock.unlock();
            }
            members.remove(this);
            if (channel.remoteAddress() instanceof InetSocketAddress peer) byPeerPort.remove(peer.getPort(), this);
        }
    }

    /** A simple producer ("s"), or one that blocks for up to 2 ms before each 4 KiB chunk ("b"). */
    private static Producer producer(byte[] reply, String mode) {
        if (mode.equals("s")) return Producers.simple(reply);
        int[] at = {0};
        return () -> {
            if (at[0] >= reply.length) return null;
            pause(ThreadLocalRandom.current().nextInt(3));  // the workload: a producer waiting for its source
            int n = Math.min(4096, reply.length - at[0]);
            byte[] chunk = Arrays.copyOfRange(reply, at[0], at[0] + n);
            at[0] += n;
            return chunk;
        };
    }

    /** Sleeps as the workload asks (a slow helper, a producer's source): a deliberate pause, not a wait. */
    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package io.loomchat.server.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Counts what the stall hunt's clients receive and decides when it stalled: no line at all for the quiet time
 * while a client waits, or one client waiting that long for its reply while others are served (a wake-up lost on
 * one connection). Each client's deliberate pauses are its own, not counted.
 */
final class StallMonitor {
    /** How far past the quiet time a client's read gives up on its own, should the monitor not act. */
    private static final long READ_SLACK_NANOS = TimeUnit.SECONDS.toNanos(20);

    /**
     * What the monitor found.
     *
     * @param description what stalled, and each stuck client with its server side
     * @param serverThreads the connection and pump threads of the stuck clients, whose stacks the report shows
     */
    record Stall(String description, List<String> serverThreads) {
    }

    private final long quietNanos;
    private final StallRoom room;
    private final AtomicLong inOrder = new AtomicLong();
    private final AtomicLong laters = new AtomicLong();
    private final AtomicLong heard = new AtomicLong();
    private final AtomicLong ends = new AtomicLong();
    private final AtomicLong waitsOverOne = new AtomicLong();
    private final AtomicLong waitsOverFive = new AtomicLong();
    private final long started = System.nanoTime();
    private final AtomicLong lastLine = new AtomicLong(started);
    /** Guards the longest gap and when it ended: updated rarely, when a gap beats it. */
    private final ReentrantLock gapLock = new ReentrantLock();
    private volatile long longestGap;
    private long longestGapEnd;

    StallMonitor(Duration quiet, StallRoom room) {
        this.quietNanos = quiet.toNanos();
        this.room = room;
    }

    long readTimeoutNanos() {
        return quietNanos + READ_SLACK_NANOS;
    }

    /** A client waited {@code nanos} for what it got: counted if over a second, and again if over five. */
    void waited(long nanos) {
        if (nanos > TimeUnit.SECONDS.toNanos(1)) waitsOverOne.incrementAndGet();
        if (nanos > TimeUnit.SECONDS.toNanos(5)) waitsOverFive.incrementAndGet();
    }

    /** A client received a line ('r' a reply in order, 'l' a later one, 'b' a broadcast) or its end ('e'). */
    void line(char kind) {
        long now = System.nanoTime();
        long gap = now - lastLine.getAndSet(now);
        if (gap > longestGap) longer(gap, now);
        switch (kind) {
            case 'r' -> inOrder.incrementAndGet();
            case 'l' -> laters.incrementAndGet();
            case 'b' -> heard.incrementAndGet();
            default -> ends.incrementAndGet();
        }
    }

    private void longer(long gap, long now) {
        gapLock.lock();
        try {
            if (gap <= longestGap) return;
            longestGap = gap;
            longestGapEnd = now;
        } finally {
            gapLock.unlock();
        }
    }

    /** {@return how long after the monitor started {@code nanos} was, in seconds} */
    double since(long nanos) {
        return (nanos - started) / 1e9;
    }

    long lines() {
        return inOrder.get() + laters.get() + heard.get();
    }


    /** {@return the stall at {@code now}, or null if every waiting client got something within the quiet time} */
    Stall check(List<StallClient> clients, long now) {
        List<StallClient> stuck = new ArrayList<>();
        List<Long> waits = new ArrayList<>();
        boolean waiting = false;
        for (StallClient c : clients) {
            long waited = c.waitingFor(now);
            waiting |= waited >= 0;
            if (waited > quietNanos) {
                stuck.add(c);
                waits.add(waited);
            }
        }
        long silent = now - lastLine.get();
        if (stuck.isEmpty() && !(waiting && silent > quietNanos)) return null;
        StringBuilder s = new StringBuilder();
        if (waiting && silent > quietNanos) {
            s.append("no line reached any client for ").append(millis(silent)).append(" ms");
        } else {
            s.append(stuck.size()).append(" of ").append(clients.size()).append(" clients got no reply for over ")
                    .append(millis(quietNanos)).append(" ms while the others were served");
        }
        s.append(" (").append(totals()).append(")");
        List<String> threads = new ArrayList<>();
        for (int i = 0; i < Math.min(stuck.size(), 10); i++) {
            StallClient c = stuck.get(i);
            StallConversation conversation = c.current;
            s.append("\n  client ").append(c.id).append(", waiting ").append(millis(waits.get(i))).append(" ms, ");
            if (conversation == null) {
                s.append("between connections");
                continue;
            }
            s.append(conversation.describe());
            String server = room.describePeer(conversation.localPort());
            s.append("\n    server side: ").append(server == null ? "no session for that port" : server);
            s.append("\n    kernel: ").append(KernelSockets.of(conversation.localPort()));
            String thread = room.threadOf(conversation.localPort());
            if (thread != null) threads.addAll(List.of(thread, thread.replace("-conn-", "-pump-")));
        }
        if (stuck.size() > 10) s.append("\n  and ").append(stuck.size() - 10).append(" more");
        return new Stall(s.toString(), threads);
    }

    /** {@return the counts so far, in one line} */
    String totals() {
        return inOrder.get() + " replies in order, " + laters.get() + " later replies, " + heard.get()
                + " broadcast lines, " + ends.get() + " goodbyes; longest gap between two lines "
                + millis(longestGap) + " ms" + gapEnd() + "; a client waited over 1 s for its reply "
                + waitsOverOne.get() + " times, over 5 s " + waitsOverFive.get() + " times";
    }

    private String gapEnd() {
        gapLock.lock();
        try {
            return longestGap == 0 ? "" : String.format(" (ended %.1f s in)", since(longestGapEnd));
        } finally {
            gapLock.unlock();
        }
    }

    static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}

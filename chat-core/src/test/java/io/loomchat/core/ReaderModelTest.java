package io.loomchat.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The reader against a model of asynchat: whenever the reader is about to block in a read, every byte it has read
 * has already been given to collectIncomingData, except a delimiter prefix held back at the end of the input
 * (asynchat's {@code find_prefix_at_end}); and the bytes between two foundTerminator calls are exactly asynchat's.
 *
 * <p>asynchat's {@code handle_read} dispatches all it received before it returns to {@code select}, so a session
 * sees each byte as soon as it arrives. A reader that waited for more input with bytes in hand would keep them
 * from the session for as long as the peer pauses (forever, if the peer waits for a reply first).
 *
 * <p>The input comes from a {@link BlockPointInput}: at each read that finds nothing left, on the connection
 * thread, the {@link AsynchatModel} is fed the chunk just used up and what the {@link ScheduledSession} has
 * received is compared with what asynchat would have given it by then. Only the public API is used, so the test
 * holds for any reader behind it.
 *
 * <p>The random runs come from a seed, printed on failure. System properties: {@code loomchat.model.seed} (the
 * run's seed; random by default), {@code loomchat.model.scenarios} (how many, 400), {@code loomchat.model.scenario}
 * (run just that scenario, as a failure names it), {@code loomchat.model.maxCount} (the largest count in a
 * schedule, 1 MiB). 400 scenarios take about 5 s; for many more, lift the class's timeout with
 * {@code -Djunit.jupiter.execution.timeout.mode=disabled}.
 */
@Timeout(60)
class ReaderModelTest {
    /** The deadline of every blocking step. */
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int MIB = 1 << 20;

    /**
     * A 10,000-byte count; the peer sends 5,000 bytes, then waits for a reply before it sends the rest. Where the
     * reader waits for the rest, the session already has the 5,000 bytes (asynchat gave them to
     * collect_incoming_data as they came), so it could answer, show progress, or stream them on.
     */
    @Test
    void theFirst5000BytesOfA10000ByteCountReachTheSessionBeforeTheReaderWaitsForTheRest() throws Exception {
        byte[] firstHalf = "x".repeat(5_000).getBytes();
        byte[] secondHalf = "y".repeat(5_000).getBytes();
        ScheduledSession[] session = new ScheduledSession[1];
        List<String> seenWhenWaiting = new ArrayList<>();  // written on the connection thread, read after close
        BlockPointInput in = new BlockPointInput(List.of(firstHalf, secondHalf), (used, chunk) -> {
            if (used == 1) seenWhenWaiting.add(session[0].received().summary());
        });

        ChatConnection connection = ChatConnection.start(in, OutputStream.nullOutputStream(),
                ChatOptions.defaults().withMaxMessageSize(0),
                channel -> session[0] = new ScheduledSession(channel, Schedule.of(Terminator.count(10_000))));

        assertTrue(connection.awaitClosed(TIMEOUT), "still open after " + TIMEOUT);
        assertEquals(List.of("0 messages + partial of 5,000 bytes"), seenWhenWaiting,
                "what the session had collected when the reader waited for the second 5,000 bytes");
        assertEquals("1 message (10,000 bytes) + partial of 0 bytes", session[0].received().summary());
    }

    /** Random inputs, chunkings, schedules and buffer sizes, each checked at every read that would block. */
    @Test
    void atEveryReadThatWouldBlockTheSessionHasWhatAsynchatWouldHaveGivenIt() throws Exception {
        int maxCount = Integer.getInteger("loomchat.model.maxCount", MIB);
        List<Long> seeds = new ArrayList<>();
        String one = System.getProperty("loomchat.model.scenario");
        long runSeed = Long.getLong("loomchat.model.seed", new SplittableRandom().nextLong());
        if (one != null) {
            seeds.add(Long.parseLong(one));
        } else {
            SplittableRandom seedOfSeeds = new SplittableRandom(runSeed);
            for (int i = Integer.getInteger("loomchat.model.scenarios", 400); i > 0; i--) seeds.add(seedOfSeeds.nextLong());
        }

        List<Failure> failures = new ArrayList<>();
        for (long seed : seeds) {
            ReaderScenario scenario = ReaderScenario.generate(seed, maxCount);
            String failure = run(scenario);
            if (failure != null) failures.add(new Failure(scenario, failure));
        }

        if (!failures.isEmpty()) {
            // The smallest input is the easiest to read; the others are listed by seed.
            failures.sort(Comparator.comparingInt(f -> f.scenario().input().length));
            Failure first = failures.get(0);
            String run = one != null ? "" : String.format(" (run seed %d: -Dloomchat.model.seed=%d)", runSeed, runSeed);
            fail(String.format("%d of %d scenarios broke the rule%s%nthe smallest:%n%s%n%s%nothers: %s",
                    failures.size(), seeds.size(), run, first.scenario().describe(), first.message(),
                    failures.stream().skip(1).limit(8).map(f -> f.scenario().seed()).toList()
                            + (failures.size() > 9 ? " ..." : "")));
        }
    }

    private record Failure(ReaderScenario scenario, String message) {
    }

    /** Runs one scenario; returns null if the reader kept the rule throughout, else the first breach. */
    static String run(ReaderScenario scenario) throws InterruptedException {
        Probe probe = new Probe(scenario);
        BlockPointInput in = new BlockPointInput(scenario.chunks(), probe);
        ChatConnection connection = ChatConnection.start(in, OutputStream.nullOutputStream(),
                ChatOptions.defaults().withInBufferSize(scenario.inBufferSize()).withMaxMessageSize(0),
                // Half the scenarios take their input in place (collectIncomingData over the buffer's range).
                channel -> probe.session = new ScheduledSession(channel, scenario.schedule(), scenario.seed() % 2 == 0));
        if (!connection.awaitClosed(TIMEOUT)) {
            connection.close();
            connection.awaitClosed(TIMEOUT);
            return "still open " + TIMEOUT + " after it started" + (probe.mismatch != null ? "; " + probe.mismatch : "");
        }
        // awaitClosed returned true: what the connection thread wrote is visible here.
        if (probe.mismatch != null) return probe.mismatch;
        ScheduledSession session = probe.session;
        if (session == null) return "no session was created";
        if (!session.problems().isEmpty()) return "the session saw " + session.problems();
        if (!in.endReturned()) return "the reader stopped before the end of the input";
        String last = probe.model.received().compare(session.received(), new Received.Checked());
        return last == null ? null : "after the connection closed: " + last;
    }

    /** The block point: feeds the model what arrived, and compares. Runs on the connection thread only. */
    private static final class Probe implements BlockPointInput.BlockPoint {
        private final ReaderScenario scenario;
        private final AsynchatModel model;
        private final Received.Checked checked = new Received.Checked();
        private ScheduledSession session;
        /** The first breach of the rule, or null. */
        private volatile String mismatch;

        Probe(ReaderScenario scenario) {
            this.scenario = scenario;
            this.model = new AsynchatModel(scenario.schedule());
        }

        @Override
        public void reached(int used, byte[] chunk) {
            if (mismatch != null) return;
            try {
                if (chunk != null) model.handleRead(chunk);
                String difference = model.received().compare(session.received(), checked);
                if (difference != null) {
                    int chunks = scenario.chunkEnds().length;
                    byte[] held = model.heldBack();
                    mismatch = String.format("at the read after chunk %,d of %,d (%,d of %,d input bytes arrived, "
                                    + "nothing more available; asynchat holds back %s):%n  %s",
                            used, chunks, model.fed(), scenario.input().length,
                            held.length == 0 ? "nothing" : "\"" + Received.escape(held) + "\"", difference);
                }
            } catch (Throwable t) {
                // Never out of read(): the reader would take it for an I/O error.
                mismatch = "the check itself failed at the read after chunk " + used + ": " + t;
            }
        }
    }
}

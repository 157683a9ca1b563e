package io.loomchat.core;

import static io.loomchat.core.Runs.start;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.Runs.Live;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The output queue: asynchat's producer_fifo of pushes, producers and the close_when_done marker. */
@Timeout(30)
class OutputQueueTest {

    @Test
    void pushOrderIsPreservedAcrossManyPushes() throws Exception {
        StringBuilder expected = new StringBuilder();
        try (Live live = start(ScriptedInput.open(), RecordingSession::new)) {
            ChatChannel channel = live.connection().channel();
            for (int i = 0; i < 20_000; i++) {
                String line = "line " + i + "\n";
                channel.push(i % 2 == 0 ? line : "");
                channel.push(i % 2 == 0 ? new byte[0] : line.getBytes(StandardCharsets.UTF_8));
                expected.append(line);
            }
            channel.closeWhenDone();

            assertEquals(expected.toString(), new String(live.awaitClosed().out().bytes(), StandardCharsets.UTF_8));
        }
    }

    /** Over a stream pair nothing gathers, so pushWithoutCopy copies as push does: a later change is not sent. */
    @Test
    void pushWithoutCopyOnAStreamCopiesLikePush() throws Exception {
        byte[] large = "x".repeat(4096).getBytes(StandardCharsets.UTF_8);
        try (Live live = start(ScriptedInput.open(), RecordingSession::new)) {
            ChatChannel channel = live.connection().channel();
            channel.push("<");
            channel.pushWithoutCopy(large);
            Arrays.fill(large, (byte) 'y');
            channel.push(">");
            channel.closeWhenDone();

            assertEquals("<" + "x".repeat(4096) + ">",
                    new String(live.awaitClosed().out().bytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void eachThreadsPushesKeepTheirOrderWhenThreadsPushAtOnce() throws Exception {
        int threads = 4;
        int lines = 2_000;
        try (Live live = start(ScriptedInput.open(), RecordingSession::new);
             ExecutorService pushers = Executors.newVirtualThreadPerTaskExecutor()) {
            ChatChannel channel = live.connection().channel();
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String tag = "t" + t + " ";
                done.add(pushers.submit(() -> {
                    for (int i = 0; i < lines; i++) channel.push(tag + i + "\n");
                }));
            }
            for (Future<?> f : done) f.get(Runs.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            channel.closeWhenDone();

            String[] written = new String(live.awaitClosed().out().bytes(), StandardCharsets.UTF_8).split("\n");
            assertEquals(threads * lines, written.length);
            for (int t = 0; t < threads; t++) {
                String tag = "t" + t + " ";
                List<String> own = Arrays.stream(written).filter(l -> l.startsWith(tag)).toList();
                List<String> inOrder = IntStream.range(0, lines).mapToObj(i -> tag + i).toList();
                assertEquals(inOrder, own, tag + "out of order");
            }
        }
    }

    @Test
    void producersAreDrainedInFifoOrderWithPushes() throws Exception {
        String many = "b".repeat(1500);
        try (Live live = start(ScriptedInput.open(), channel -> {
            channel.push("a|");
            channel.pushWithProducer(Producers.simple(many.getBytes(StandardCharsets.UTF_8), 100));
            channel.push("|c|");
            List<String> parts = new ArrayList<>(List.of("d1", "d2"));
            channel.pushWithProducer(() -> parts.isEmpty() ? null
                    : parts.removeFirst().getBytes(StandardCharsets.UTF_8));
            channel.push("|e|");
            channel.pushWithProducer(Producers.simple(""));
            channel.push("f");
            channel.closeWhenDone();
            return new RecordingSession(channel);
        })) {
            assertEquals("a|" + many + "|c|d1d2|e|f", live.awaitClosed().out().escaped());
        }
    }

    @Test
    void blockingProducerHoldsUpOnlyLaterOutputNotReadingNorOtherConnections() throws Exception {
        GatedProducer gated = new GatedProducer("P\n");
        try (Live blocked = start(ScriptedInput.open(), channel -> new Replier(channel, gated));
             Live other = start(ScriptedInput.open(), channel -> new Replier(channel, null))) {
            blocked.in().feed("first\n");
            gated.awaitBlocked();
            // Output produced before a blocking producer is written before it is asked for more.
            await().atMost(Runs.TIMEOUT).untilAsserted(() -> assertEquals("before\\n", blocked.out().escaped()));

            blocked.in().feed("second\nthird\n");
            other.in().feed("hello\n");
            await().atMost(Runs.TIMEOUT).untilAsserted(() ->
                    assertEquals(List.of("first", "second", "third"), blocked.session().messages()));
            await().atMost(Runs.TIMEOUT).untilAsserted(() -> assertEquals("ok hello\\n", other.out().escaped()));
            assertEquals("before\\n", blocked.out().escaped());

            gated.release();
            await().atMost(Runs.TIMEOUT).untilAsserted(() ->
                    assertEquals("before\\nP\\nok first\\nok second\\nok third\\n", blocked.out().escaped()));
        }
    }

    @Test
    void closeWhenDoneClosesOnlyAfterEverythingQueuedBeforeItWasWritten() throws Exception {
        GatedProducer gated = new GatedProducer("middle|");
        byte[] big = new byte[300_000];
        Arrays.fill(big, (byte) 'x');
        try (Live live = start(ScriptedInput.open(), channel -> {
            channel.push("head|");
            channel.pushWithProducer(gated);
            channel.push(big);
            channel.closeWhenDone();
            return new RecordingSession(channel);
        })) {
            gated.awaitBlocked();
            assertFalse(live.connection().isClosed());
            assertFalse(live.out().isClosed());

            gated.release();
            live.awaitClosed();

            int total = "head|middle|".length() + big.length;
            assertEquals(total, live.out().sizeAtClose());
            assertEquals("head|middle|" + "x".repeat(big.length),
                    new String(live.out().bytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void pushAfterCloseWhenDoneIsNotWrittenAndTryPushSaysSo() throws Exception {
        List<Boolean> answers = new CopyOnWriteArrayList<>();
        try (Live live = start(ScriptedInput.open(), channel -> {
            answers.add(channel.isOpen());
            answers.add(channel.tryPush("a".getBytes(StandardCharsets.UTF_8)));
            channel.closeWhenDone();
            channel.push("b");
            channel.pushWithProducer(Producers.simple("c"));
            answers.add(channel.tryPush("d".getBytes(StandardCharsets.UTF_8)));
            answers.add(channel.isOpen());
            return new RecordingSession(channel);
        })) {
            assertEquals("a", live.awaitClosed().out().escaped());
            assertEquals(List.of(true, true, false, false), answers);
        }
    }

    @Test
    void pushAfterCloseIsNotWrittenAndNeverThrows() throws Exception {
        try (Live live = start(ScriptedInput.open(), RecordingSession::new)) {
            ChatChannel channel = live.connection().channel();
            live.session(); // created, so the pump is running
            channel.close();
            channel.push("late");
            channel.pushWithProducer(Producers.simple("late"));
            channel.closeWhenDone();

            assertFalse(channel.tryPush("late".getBytes(StandardCharsets.UTF_8)));
            assertFalse(channel.isOpen());
            assertEquals("", live.awaitClosed().out().escaped());
        }
    }

    @Test
    void discardBuffersDropsQueuedOutput() throws Exception {
        GatedProducer gated = new GatedProducer("P|");
        try (Live live = start(ScriptedInput.open(), channel -> {
            channel.push("before|");
            channel.pushWithProducer(gated);
            channel.push("dropped|");
            channel.pushWithProducer(Producers.simple("dropped too|"));
            return new RecordingSession(channel);
        })) {
            ChatChannel channel = live.connection().channel();
            live.session(); // the factory has queued everything
            gated.awaitBlocked();
            channel.discardBuffers();
            gated.release();
            channel.push("after");
            channel.closeWhenDone();

            // The producer already running finishes; everything queued behind it is gone.
            assertEquals("before|P|after", live.awaitClosed().out().escaped());
        }
    }

    @Test
    void discardBuffersKeepsAQueuedCloseWhenDone() throws Exception {
        GatedProducer gated = new GatedProducer("P|");
        try (Live live = start(ScriptedInput.open(), channel -> {
            channel.pushWithProducer(gated);
            channel.push("dropped");
            channel.closeWhenDone();
            return new RecordingSession(channel);
        })) {
            live.session(); // the factory has queued everything
            gated.awaitBlocked();
            live.connection().channel().discardBuffers();
            gated.release();

            assertEquals("P|", live.awaitClosed().out().escaped());
        }
    }

    @Test
    void discardBuffersInFoundTerminatorDropsTheRestOfThatReadOnly() throws Exception {
        List<byte[]> chunks = List.of(Runs.ascii("one\ndropped\n"), Runs.ascii("two\n"), Runs.ascii("three\n"));

        // asynchat's discard_buffers empties ac_in_buffer; input read later is dispatched as usual.
        RecordingSession session = Runs.runToEnd(chunks, ChatOptions.defaults(), channel -> RecordingSession.onLines(
                channel, message -> channel.discardBuffers())).session();

        assertEquals(List.of("one", "two", "three"), session.messages());
    }

    @Test
    void sessionFactoryCanSetTheTerminatorAndPushAGreetingBanner() throws Exception {
        try (Live live = start(ScriptedInput.open(), channel -> {
            channel.push("220 ready\r\n");
            return new Smtpish(channel);
        })) {
            await().atMost(Runs.TIMEOUT).untilAsserted(() -> assertEquals("220 ready\\r\\n", live.out().escaped()));
            live.in().feed("HELO me\r\nQU").feed("IT\r\n");

            assertEquals("220 ready\\r\\n250 ok HELO me\\r\\n221 bye\\r\\n", live.awaitClosed().out().escaped());
            assertEquals(List.of("HELO me", "QUIT"), live.session().messages());
        }
    }

    @Test
    void sessionFactoryCanPushAOneShotReplyAndCloseWhenDone() throws Exception {
        try (Live live = start(ScriptedInput.open(), channel -> {
            channel.push("quote of the day\r\n");
            channel.closeWhenDone();
            return new RecordingSession(channel);
        })) {
            assertEquals("quote of the day\\r\\n", live.awaitClosed().out().escaped());
            assertTrue(live.out().isClosed());
            assertEquals(1, live.session().closedCalls());
            assertEquals(List.of(), live.session().messages());
        }
    }

    /** Pushes "before", then its producer (if any), then replies "ok LINE" to every line. */
    private static final class Replier extends RecordingSession {
        Replier(ChatChannel channel, Producer producer) {
            super(channel);
            channel.setTerminator("\n");
            if (producer != null) {
                channel.push("before\n");
                channel.pushWithProducer(producer);
            }
        }

        @Override
        void onMessage(byte[] message) {
            channel.push("ok " + new String(message, StandardCharsets.UTF_8) + "\n");
        }
    }

    /** Replies 250 to every line but QUIT, which gets 221 and closes when done. */
    private static final class Smtpish extends RecordingSession {
        Smtpish(ChatChannel channel) {
            super(channel);
            channel.setTerminator("\r\n");
        }

        @Override
        void onMessage(byte[] message) {
            String line = new String(message, StandardCharsets.UTF_8);
            if (line.equals("QUIT")) {
                channel.push("221 bye\r\n");
                channel.closeWhenDone();
            } else {
                channel.push("250 ok " + line + "\r\n");
            }
        }
    }
}

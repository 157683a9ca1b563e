package io.loomchat.server.faults;

import io.loomchat.core.ChatOptions;
import io.loomchat.server.ChatServer;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * One stall hunt: a {@link ChatServer} on 127.0.0.1 running a {@link StallRoom}, {@link StallClient}s pipelining
 * at it, a {@link CpuBurner} taking the cores, and a {@link StallMonitor} watching the replies. On a stall it dumps
 * every thread before it stops anything, and fails with the dump's path and where the threads wait.
 */
final class StallHunt {
    /**
     * Small watermarks, so pushes wait for drains; a small read buffer, so a pipeline arrives over several reads
     * and the hold is taken and released many times per batch.
     */
    private static final ChatOptions OPTIONS = ChatOptions.defaults()
            .withWatermarks(2 * 1024, 8 * 1024)
            .withInBufferSize(1024);

    /**
     * The hunt's knobs.
     *
     * @param workload how long clients keep asking; then each says goodbye
     * @param clients clients at once, each with one connection at a time
     * @param quiet how long a client may wait for its reply before the hunt calls it a stall
     * @param burners spinning threads in the burner JVM; 0 for none
     * @param seed the seed of every client's choices
     */
    record Settings(Duration workload, int clients, Duration quiet, int burners, long seed) {
        /**
         * {@code loomchat.stall.seconds} (default 10), {@code .clients} (100), {@code .quietSeconds} (10; a
         * fraction is allowed),
         * {@code .burners} (one per core) and {@code .seed} (random).
         */
        static Settings fromSystemProperties() {
            return new Settings(Duration.ofSeconds(Long.getLong("loomchat.stall.seconds", 10)),
                    Integer.getInteger("loomchat.stall.clients", 100),
                    Duration.ofMillis((long) (1000 * Double.parseDouble(
                            System.getProperty("loomchat.stall.quietSeconds", "10")))),
                    Integer.getInteger("loomchat.stall.burners", Runtime.getRuntime().availableProcessors()),
                    Long.getLong("loomchat.stall.seed", ThreadLocalRandom.current().nextLong()));
        }

        /** The longest the whole hunt may take: the workload, a stall's worth twice, and time to say goodbye. */
        Duration atMost() {
            return workload.plus(quiet.multipliedBy(2)).plusSeconds(30);
        }
    }

    private StallHunt() {
    }

    /**
     * Runs a hunt to its end and checks that nothing was left behind; returns a line on what it did.
     *
     * @throws AssertionError on a stall, a wrong reply, a failure on the server side, or a leak
     */
    static String run(Settings settings, StallRoom room) throws Exception {
        int baseline = Leaks.openFileDescriptors();
        StallMonitor monitor = new StallMonitor(settings.quiet(), room);
        long started = System.nanoTime();
        try (CpuBurner burner = CpuBurner.start(settings.burners(), settings.atMost().plusSeconds(30))) {
            ChatServer server = ChatServer.builder().bindAddress(InetAddress.getByName("127.0.0.1")).port(0)
                    .options(OPTIONS).listen(room::join);
            List<StallClient> clients = new ArrayList<>();
            try {
                long end = started + settings.workload().toNanos();
                for (int id = 0; id < settings.clients(); id++) {
                    clients.add(new StallClient(id, server.port(), settings.seed(), end, monitor));
                }
                watch(clients, start(clients), monitor, room, settings);
                if (!room.failures().isEmpty()) throw new AssertionError("the server side failed: " + room.failures());
                if (monitor.lines() == 0) throw new AssertionError("no reply at all");
            } finally {
                server.close();
            }
            Leaks.assertNoLeaks(server, baseline);
            long connections = clients.stream().mapToLong(c -> c.connections.get()).sum();
            return String.format("stall hunt, seed %d: %d clients, %d connections, %s; longest waits of one client "
                    + "for its reply: %s; %d broadcasts pushed; %.1f s; %s; no stall", settings.seed(),
                    clients.size(), connections, monitor.totals(), longestWaits(clients, monitor), room.told(),
                    (System.nanoTime() - started) / 1e9, burner.report());
        }
    }

    private static List<CompletableFuture<Void>> start(List<StallClient> clients) {
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (StallClient client : clients) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            Thread.ofVirtual().name("stall-client-" + client.id).start(() -> {
                try {
                    client.run();
                    f.complete(null);
                } catch (Throwable t) {
                    f.completeExceptionally(t);
                }
            });
            done.add(f);
        }
        return done;
    }

    /** Watches the clients until they are all done; on a stall, a failure or the time running out, fails. */
    private static void watch(List<StallClient> clients, List<CompletableFuture<Void>> done, StallMonitor monitor,
                              StallRoom room, Settings settings) throws Exception {
        CompletableFuture<Void> all = CompletableFuture.allOf(done.toArray(CompletableFuture[]::new));
        long deadline = System.nanoTime() + settings.atMost().toNanos();
        while (true) {
            try {
                all.get(100, TimeUnit.MILLISECONDS);  // the watch's pace: a timed wait for the clients to finish
                return;
            } catch (TimeoutException | ExecutionException stillRunningOrFailed) {
                // a failure is rethrown below, once the others are stopped
            }
            for (CompletableFuture<Void> f : done) {
                if (f.isCompletedExceptionally()) {
                    stop(clients, done, room);
                    throw new AssertionError("a client failed (seed " + settings.seed() + ")", cause(f));
                }
            }
            long now = System.nanoTime();
            StallMonitor.Stall stall = monitor.check(clients, now);
            if (stall == null && now > deadline) {
                stall = new StallMonitor.Stall("the hunt did not end within " + settings.atMost() + " ("
                        + monitor.totals() + ")", List.of());
            }
            if (stall != null) throw stalled(stall, clients, done, room, settings);
        }
    }

    private static AssertionError stalled(StallMonitor.Stall stall, List<StallClient> clients,
                                          List<CompletableFuture<Void>> done, StallRoom room, Settings settings)
            throws Exception {
        Path dump = ThreadDumps.dump();  // before anything is stopped
        String summary = ThreadDumps.summary(dump, stall.serverThreads());
        stop(clients, done, room);
        return new AssertionError("stalled (seed " + settings.seed() + "): " + stall.description()
                + "\nserver failures: " + room.failures() + "\nthread dump: " + dump + "\n" + summary);
    }

    /** Stops every client (their sockets close) and the room's waits, and gives the clients 10 s in all to end. */
    private static void stop(List<StallClient> clients, List<CompletableFuture<Void>> done, StallRoom room) {
        clients.forEach(StallClient::abort);
        room.stop();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (CompletableFuture<Void> f : done) {
            try {
                f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException e) {
                // stopped, or failing because it was stopped: the failure to report is the caller's
            }
        }
    }

    private static Throwable cause(CompletableFuture<Void> f) {
        try {
            f.join();
            return null;
        } catch (RuntimeException e) {
            return e.getCause() == null ? e : e.getCause();
        }
    }

    /** {@return the three longest waits of a client for its reply: how long, for what, and when it ended} */
    private static String longestWaits(List<StallClient> clients, StallMonitor monitor) {
        return clients.stream().sorted((a, b) -> Long.compare(b.longestWait, a.longestWait)).limit(3)
                .map(c -> String.format("%d ms for %s (client %d, %.1f s in)", StallMonitor.millis(c.longestWait),
                        c.longestWaitFor, c.id, monitor.since(c.longestWaitEnd)))
                .collect(Collectors.joining(", "));
    }
}

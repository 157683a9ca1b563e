package io.loomchat.server.faults;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A second JVM whose threads spin, so the test JVM competes for every core: the overloaded host of a stall that
 * was once seen. It cannot outlive the test: {@link #close()} kills it, a shutdown hook kills it if the test JVM
 * exits first, and it ends by itself when the test JVM is gone or its time is up, whichever comes first.
 */
final class CpuBurner implements AutoCloseable {
    private final Process process;
    private final Thread killer;
    private final long started = System.nanoTime();
    private Duration cpu = Duration.ZERO;

    private CpuBurner(Process process) {
        this.process = process;
        this.killer = process == null ? null : new Thread(process::destroyForcibly, "cpu-burner-killer");
        if (killer != null) Runtime.getRuntime().addShutdownHook(killer);
    }

    /**
     * Starts a JVM spinning {@code threads} threads for at most {@code atMost}; none if {@code threads} is 0.
     *
     * @throws IOException if the JVM cannot be started
     */
    static CpuBurner start(int threads, Duration atMost) throws IOException {
        if (threads == 0) return new CpuBurner(null);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classes;
        try {
            classes = Path.of(CpuBurner.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IOException("cannot find the test classes", e);
        }
        Process process = new ProcessBuilder(java, "-Xmx16m", "-XX:+UseSerialGC", "-Xshare:auto", "-cp", classes,
                CpuBurner.class.getName(), Integer.toString(threads), Long.toString(atMost.toSeconds()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return new CpuBurner(process);
    }

    /** {@return a line saying what the burner did: its threads' CPU time over the wall time} */
    String report() {
        if (process == null) return "no CPU burner";
        long wall = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        return String.format("CPU burner pid %d: %.1f CPU-s in %.1f s", process.pid(), cpu().toMillis() / 1000.0,
                wall / 1000.0);
    }

    private Duration cpu() {
        if (process != null && process.isAlive()) {
            cpu = process.info().totalCpuDuration().orElse(cpu);
        }
        return cpu;
    }

    /**
     * Kills the burner and waits for it to end, for at most 10 s.
     *
     * @throws IllegalStateException if it did not end in time, or the wait was interrupted (the interrupt is kept)
     */
    @Override
    public void close() {
        if (process == null) return;
        cpu();
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("CPU burner " + process.pid() + " did not end within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for CPU burner " + process.pid() + " to end", e);
        }
        Runtime.getRuntime().removeShutdownHook(killer);
    }

    /** The burner itself: {@code threads seconds}. Spins until the time is up or its parent, the test JVM, ends. */
    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[1]));
        for (int i = 0; i < threads; i++) {
            Thread spinner = new Thread(() -> spin(deadline), "spinner-" + i);
            spinner.setDaemon(true);
            spinner.start();
        }
        ProcessHandle parent = ProcessHandle.current().parent().orElseThrow();
        try {
            parent.onExit().get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException timeUp) {
            // the longest the test asked for: end anyway
        }
        System.exit(0);
    }

    private static void spin(long deadline) {
        long x = 1;
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < 100_000; i++) x = x * 6364136223846793005L + 1442695040888963407L;
        }
        if (x == 42) System.out.println(x);  // keeps the loop from being optimised away
    }
}

package io.loomchat.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Runs the JDK's own {@code jcmd} and {@code jfr} tools against this test JVM.
 *
 * <p>Test sources compile into module io.loomchat.server, which reads neither jdk.jfr nor jdk.management; the
 * tools give the same answers (a flight recording, a thread dump that lists virtual threads) without a
 * compile-time dependency on those modules. Public for the fault suite's stall hunt, which dumps every thread when
 * a client waits too long.
 */
public final class JdkTools {
    /** The most one tool may take; the JVM starting it is most of that. */
    private static final long TOOL_TIMEOUT_SECONDS = 30;
    private static final Pattern THREAD_NAME = Pattern.compile("\"name\":\\s*\"([^\"]*)\"");

    private JdkTools() {
    }

    /** Runs {@code jcmd <this pid> args...} and returns what it printed; fails if it fails. */
    public static String jcmd(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(tool("jcmd"), Long.toString(ProcessHandle.current().pid())));
        command.addAll(List.of(args));
        return run(command);
    }

    /** Runs {@code jfr args...} and returns what it printed; fails if it fails. */
    static String jfr(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(tool("jfr")));
        command.addAll(List.of(args));
        return run(command);
    }

    /**
     * Returns the names of this JVM's live threads that start with {@code prefix}, virtual threads included
     * ({@code Thread.getAllStackTraces()} leaves those out).
     */
    static List<String> liveThreadsNamed(String prefix) throws IOException, InterruptedException {
        Path dump = Files.createTempFile("loomchat-threads", ".json");
        Files.delete(dump); // Thread.dump_to_file will not overwrite a file
        try {
            jcmd("Thread.dump_to_file", "-format=json", dump.toString());
            return THREAD_NAME.matcher(Files.readString(dump)).results().map(m -> m.group(1))
                    .filter(name -> name.startsWith(prefix)).toList();
        } finally {
            Files.deleteIfExists(dump);
        }
    }

    private static String tool(String name) {
        return Path.of(System.getProperty("java.home"), "bin", name).toString();
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Path output = Files.createTempFile("loomchat-tool", ".txt");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                    .start();
            if (!process.waitFor(TOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(command + " did not finish within " + TOOL_TIMEOUT_SECONDS + " s");
            }
            String printed = Files.readString(output);
            if (process.exitValue() != 0) throw new AssertionError(command + " failed: " + printed);
            return printed;
        } finally {
            Files.deleteIfExists(output);
        }
    }
}

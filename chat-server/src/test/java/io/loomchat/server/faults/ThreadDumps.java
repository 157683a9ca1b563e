package io.loomchat.server.faults;

import io.loomchat.server.JdkTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A dump of every thread of this JVM, virtual threads included ({@code jcmd PID Thread.dump_to_file}), kept under
 * {@code target/stall-hunt/}, and its summary: how many threads of each kind wait where, and the whole stacks of
 * the threads a report names.
 */
final class ThreadDumps {
    /** A thread's first line: {@code #23 "loomchat-pump-7" virtual WAITING 2026-...} (JDK 21 has no state). */
    private static final Pattern HEADER = Pattern.compile("#\\d+ \"(.*)\"( virtual)?(?: ([A-Z_]+))?.*");
    /** A frame, {@code java.base/java.util.concurrent.locks.LockSupport.park(LockSupport.java:369)}, in parts. */
    private static final Pattern FRAME = Pattern.compile(
            "(?:[\\w.]+/)?(?:[a-z]\\w*\\.)*([\\w$]+\\.[\\w$<>]+)\\((?:[\\w$]+\\.java:(\\d+)|.*)\\)");
    private static final int FRAMES_SHOWN = 25;

    /** One thread of a dump: its frames innermost first, "at " and module prefixes removed. */
    record Stack(String name, String state, List<String> frames) {
        /** {@return the innermost frame of loomchat or of the test, with the JDK frame it waits in} */
        String where() {
            for (int i = 0; i < frames.size(); i++) {
                if (!isJdk(frames.get(i))) {
                    return shortFrame(frames.get(i)) + (i > 0 ? " [" + shortFrame(frames.get(i - 1)) + "]" : "");
                }
            }
            return frames.isEmpty() ? "no frames" : shortFrame(frames.getFirst());
        }
    }

    private ThreadDumps() {
    }

    /** Dumps every thread to {@code target/stall-hunt/threads-TIME.txt} and returns the file. */
    static Path dump() throws IOException, InterruptedException {
        Path dir = Path.of("target", "stall-hunt").toAbsolutePath();
        Files.createDirectories(dir);
        String time = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS"));
        Path file = dir.resolve("threads-" + time + ".txt");
        JdkTools.jcmd("Thread.dump_to_file", "-format=text", file.toString());
        return file;
    }

    /**
     * Summarises a dump: threads grouped by name (numbers as N), state and where they wait, largest groups first;
     * then the whole stacks of the threads named in {@code shown}.
     */
    static String summary(Path dump, Collection<String> shown) throws IOException {
        List<Stack> stacks = parse(Files.readAllLines(dump));
        Map<String, Integer> groups = new TreeMap<>();
        for (Stack s : stacks) {
            groups.merge(s.name().replaceAll("\\d+", "N") + " " + s.state() + " at " + s.where(), 1, Integer::sum);
        }
        StringBuilder out = new StringBuilder(stacks.size() + " threads, by where they are:");
        groups.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .forEach(g -> out.append(String.format("%n  %5d  %s", g.getValue(), g.getKey())));
        for (Stack s : stacks) {
            if (!shown.contains(s.name())) continue;
            out.append("\n\"").append(s.name()).append("\" ").append(s.state());
            s.frames().stream().limit(FRAMES_SHOWN).forEach(f -> out.append("\n      ").append(f));
        }
        for (String name : shown) {
            if (stacks.stream().noneMatch(s -> s.name().equals(name))) {
                out.append("\n\"").append(name).append("\": no such thread");
            }
        }
        return out.toString();
    }

    static List<Stack> parse(List<String> lines) {
        List<Stack> stacks = new ArrayList<>();
        String name = null;
        String state = null;
        List<String> frames = new ArrayList<>();
        for (String line : lines) {
            Matcher header = HEADER.matcher(line);
            if (header.matches()) {
                if (name != null) stacks.add(new Stack(name, state, frames));
                name = header.group(1);
                state = (header.group(2) == null ? "platform" : "virtual")
                        + (header.group(3) == null ? "" : " " + header.group(3));
                frames = new ArrayList<>();
            } else if (name != null && !line.isBlank() && !line.strip().startsWith("- ")) {
                String frame = line.strip();
                frames.add(frame.startsWith("at ") ? frame.substring(3) : frame);
            }
        }
        if (name != null) stacks.add(new Stack(name, state, frames));
        return stacks;
    }

    private static boolean isJdk(String frame) {
        return frame.startsWith("java.") || frame.startsWith("jdk.") || frame.startsWith("sun.");
    }

    /** {@return a frame without package and file name: {@code LockSupport.park:369}} */
    private static String shortFrame(String frame) {
        Matcher m = FRAME.matcher(frame);
        if (!m.matches()) return frame;
        return m.group(1) + (m.group(2) == null ? "" : ":" + m.group(2));
    }
}

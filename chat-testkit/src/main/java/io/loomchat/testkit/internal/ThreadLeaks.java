package io.loomchat.testkit.internal;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the threads a test started and left running: platform threads from {@link Thread#getAllStackTraces()},
 * virtual threads from the JDK's thread dump ({@code HotSpotDiagnosticMXBean.dumpThreads}, JDK 21+), which is
 * the only place that lists them.
 *
 * <p>Not counted: the JDK's own threads (outside the {@code main} thread group, JFR's, and virtual threads that
 * run JDK code only, such as the I/O pollers that JDK 22+ starts on first use), pool workers
 * ({@link ForkJoinWorkerThread}: the carriers of virtual threads and the common pool), which a pool keeps, and
 * JUnit's ({@code junit-*}, such as the timeout watcher it starts on the first {@code @Timeout}).
 */
public final class ThreadLeaks {
    private static final Pattern TID = Pattern.compile("\"tid\":\\s*\"(\\d+)\"");
    private static final Pattern NAME = Pattern.compile("\"name\":\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern STACK = Pattern.compile("\"stack\":\\s*\\[([^\\]]*)\\]");
    private static final Pattern FRAME = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");
    /** How often a virtual thread that is still there is looked for again: nothing signals its end. */
    private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final int MAX_FRAMES = 8;

    private final Set<Thread> platformBefore;
    /** The ids of the threads in the dump taken at the start, or null if the JDK cannot dump threads. */
    private final Set<String> dumpedBefore;

    private ThreadLeaks(Set<Thread> platformBefore, Set<String> dumpedBefore) {
        this.platformBefore = platformBefore;
        this.dumpedBefore = dumpedBefore;
    }

    /** Notes the threads alive now. */
    public static ThreadLeaks snapshot() {
        Map<String, String> dump = dump();
        return new ThreadLeaks(new HashSet<>(Thread.getAllStackTraces().keySet()),
                dump == null ? null : dump.keySet());
    }

    /**
     * Returns the threads started since the snapshot that are still alive at {@code deadline} (a
     * {@link System#nanoTime()} value), waiting for them to end until then; each described with its stack.
     */
    public List<String> leakedBy(long deadline) throws InterruptedException {
        List<String> leaks = new ArrayList<>();
        Set<String> platformIds = new HashSet<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            platformIds.add(Long.toString(thread.threadId()));
            if (platformBefore.contains(thread) || !counted(thread)) continue;
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (thread.isAlive()) leaks.add(describe(thread));
        }
        if (dumpedBefore != null) leaks.addAll(virtualLeaks(platformIds, deadline));
        return leaks;
    }

    private List<String> virtualLeaks(Set<String> platformIds, long deadline) {
        while (true) {
            Map<String, String> now = dump();
            if (now == null) return List.of();
            now.keySet().removeAll(dumpedBefore);
            now.keySet().removeAll(platformIds);
            if (now.isEmpty() || System.nanoTime() - deadline >= 0) return new ArrayList<>(now.values());
            LockSupport.parkNanos(RECHECK_NANOS);
        }
    }

    private static boolean counted(Thread thread) {
        String name = thread.getName();
        if (!thread.isAlive() || thread instanceof ForkJoinWorkerThread || name.startsWith("JFR ")
                || name.startsWith("junit-")) {
            return false;
        }
        ThreadGroup main = Thread.currentThread().getThreadGroup();
        for (ThreadGroup g = thread.getThreadGroup(); g != null; g = g.getParent()) {
            if (g.getName().equals("main") || g == main) return true;
        }
        return false;
    }

    private static String describe(Thread thread) {
        StringBuilder sb = new StringBuilder("thread \"").append(thread.getName()).append('"');
        StackTraceElement[] stack = thread.getStackTrace();
        for (int i = 0; i < Math.min(stack.length, MAX_FRAMES); i++) sb.append("\n\tat ").append(stack[i]);
        return sb.toString();
    }

    /** Returns each thread of a JSON thread dump, id to description, or null if the JDK cannot make one. */
    private static Map<String, String> dump() {
        Path file = null;
        try {
            file = Files.createTempFile("loomchat-threads", ".json");
            Files.delete(file);
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
            return parse(Files.readString(file));
        } catch (IOException | RuntimeException e) {
            return null;
        } finally {
            if (file != null) file.toFile().delete();
        }
    }

    /** Reads the threads of a JSON thread dump: each entry's id, then its name and stack before the next id. */
    static Map<String, String> parse(String json) {
        Map<String, String> threads = new LinkedHashMap<>();
        Matcher tid = TID.matcher(json);
        boolean found = tid.find();
        while (found) {
            String id = tid.group(1);
            int start = tid.end();
            found = tid.find();
            String entry = json.substring(start, found ? tid.start() : json.length());
            Matcher name = NAME.matcher(entry);
            if (!name.find()) continue;
            StringBuilder sb = new StringBuilder("virtual thread \"").append(unescape(name.group(1))).append('"');
            Matcher stack = STACK.matcher(entry);
            List<String> frames = new ArrayList<>();
            Matcher frame = FRAME.matcher(stack.find() ? stack.group(1) : "");
            while (frame.find()) frames.add(unescape(frame.group(1)));
            // The JDK's own virtual threads (the pollers of JDK 22+) run JDK code only.
            if (!frames.isEmpty() && frames.stream().allMatch(ThreadLeaks::jdkFrame)) continue;
            for (int i = 0; i < Math.min(MAX_FRAMES, frames.size()); i++) sb.append("\n\tat ").append(frames.get(i));
            threads.put(id, sb.toString());
        }
        return threads;
    }

    /** Returns whether a dumped frame ({@code java.base/java.lang.Thread.run(Thread.java:1474)}) is the JDK's. */
    private static boolean jdkFrame(String frame) {
        int slash = frame.indexOf('/');
        int paren = frame.indexOf('(');
        if (slash < 0 || (paren >= 0 && slash > paren)) return false;
        String module = frame.substring(0, slash);
        return module.startsWith("java.") || module.startsWith("jdk.");
    }

    private static String unescape(String json) {
        return json.replace("\\/", "/").replace("\\\"", "\"").replace("\\\\", "\\");
    }
}

package io.loomchat.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No monitors in main code. loomchat targets Java 21, where blocking inside {@code synchronized} (or in
 * {@code Object.wait}) pins the virtual thread's carrier; the tests run on a newer JDK, where it does not, so
 * PinningTest alone would not catch one. See {@link MonitorScan} for what is found.
 */
class NoMonitorsTest {
    /** The modules whose {@code src/main/java} is scanned: every artifact and the examples. */
    private static final List<String> MODULES = List.of("chat-core", "chat-server", "chat-testkit", "docs/examples");

    @Test
    void mainSourcesUseNoMonitors() throws IOException {
        Path root = DocsTest.repositoryRoot();
        List<String> found = new ArrayList<>();
        int scanned = 0;
        for (String module : MODULES) {
            Path sources = root.resolve(module).resolve("src/main/java");
            assertTrue(Files.isDirectory(sources), "no " + sources + ": is the module list up to date?");
            for (Path file : javaFiles(sources)) {
                scanned++;
                String name = root.relativize(file).toString().replace('\\', '/');
                for (String use : MonitorScan.find(Files.readString(file, StandardCharsets.UTF_8))) {
                    found.add(name + ":" + use);
                }
            }
        }
        assertTrue(scanned >= 50, "only " + scanned + " main source files found: is the scan looking at them?");
        assertEquals("", String.join("\n", found), "monitors in main code; on Java 21 blocking inside one pins the"
                + " carrier: use a ReentrantLock or java.util.concurrent, and never hold a lock around I/O or user"
                + " code (STYLE.md 12)");
    }

    @Test
    void synchronizedIsFoundAsAModifierAndAsABlock() {
        String source = """
                class A {
                    synchronized void a() {
                    }
                    void b() {
                        synchronized (this) { b(); }
                    }
                    static synchronized
                    void c() {
                    }
                }
                """;
        assertEquals(List.of("2: synchronized: synchronized void a() {",
                "5: synchronized: synchronized (this) { b(); }", "7: synchronized: static synchronized"),
                MonitorScan.find(source));
    }

    @Test
    void waitAndNotifyCallsAreFoundWithOrWithoutAReceiver() {
        String source = """
                class A {
                    void a() throws Exception {
                        lock.wait(100);
                        lock . notifyAll ( );
                        wait();
                        if (x) notify(); else wait(1, 2);
                        Runnable r = this::notify;
                    }
                }
                """;
        assertEquals(List.of("3: wait(: lock.wait(100);", "4: notifyAll(): lock . notifyAll ( );", "5: wait(: wait();",
                "6: notify(): if (x) notify(); else wait(1, 2);", "6: wait(: if (x) notify(); else wait(1, 2);",
                "7: ::notify: Runnable r = this::notify;"), MonitorScan.find(source));
    }

    @Test
    void commentsLiteralsAndOtherNamesAreNotMonitors() {
        String source = """
                /** Not synchronized: a ReentrantLock. Never lock.wait() here. */
                class A {
                    // synchronized (this) { notify(); }
                    /* wait(); */ String s = "synchronized \\" wait()";
                    char q = '"'; String t = "notifyAll()"; char e = '\\'';
                    String block = \"""
                            synchronized (x) { x.wait(); }
                            \""";
                    void a() throws Exception {
                        latch.await(); process.waitFor(); listener.notify(event); waiter.waiting();
                        Collections.synchronizedList(list);
                    }
                    void wait(Duration d) {
                    }
                }
                """;
        assertEquals(List.of(), MonitorScan.find(source));
    }

    @Test
    void blankedSourceKeepsItsLinesAndColumns() {
        String source = "a(); // b\n/* c\nd */ e(\"f\\\"g\", 'h');\n";
        String code = MonitorScan.code(source);
        assertEquals(source.length(), code.length());
        assertEquals("a();     \n    \n     e(      ,    );\n", code);
    }

    private static List<Path> javaFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        }
    }
}

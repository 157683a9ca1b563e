package io.loomchat.testkit;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatOptions;
import io.loomchat.core.SessionFactory;
import io.loomchat.server.ChatServer;
import io.loomchat.testkit.internal.Durations;
import io.loomchat.testkit.internal.PinningRecorder;
import io.loomchat.testkit.internal.SessionTracker;
import io.loomchat.testkit.internal.ThreadLeaks;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that runs a {@link ChatServer} on an ephemeral port of 127.0.0.1 for a test class (in a
 * {@code static} field) or for each test method (in an instance field), and checks every test for leaks.
 *
 * {@snippet :
 * @RegisterExtension
 * static final ChatServerExtension server = ChatServerExtension.serving(Echo::new);
 *
 * @Test
 * void echoesALine(Conversation client) {
 *     client.send("hello\r\n").expect("hello\r\n");
 * }
 * }
 *
 * <p>Test methods, and {@code @BeforeEach} and {@code @AfterEach} methods, may declare parameters of these
 * types: {@link Conversation}, a new client of the server; {@link SessionHarness}, a session of the same
 * factory in memory; {@link ChatServer}; and {@link InetSocketAddress}, the server's loopback address and port.
 * Conversations and harnesses, and those from {@link #connect()}, are closed after the test. ({@code @BeforeAll}
 * methods of a class with a server per class may take the last two.)
 *
 * <p>After each test the extension waits (up to 5 seconds, or {@link #leakTimeout}) for the server's sessions
 * to close and for the threads the test started to end, then fails the test naming each session and thread
 * still there (and closes those sessions, so the next test starts clean). With {@link #failOnPinning()} it
 * also records JFR's {@code jdk.VirtualThreadPinned} events during each test and fails the test on any.
 *
 * <p>Tests of one class that share a server must not run concurrently: the checks count the server's sessions.
 */
public final class ChatServerExtension
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback, ParameterResolver {
    private final SessionFactory factory;
    private final SessionTracker tracker = new SessionTracker();
    private ChatOptions options = ChatOptions.defaults();
    private boolean failOnPinning;
    private Duration leakTimeout = Conversation.DEFAULT_TIMEOUT;
    private volatile ChatServer server;
    private boolean serverPerClass;
    /** The test classes running with a server per class: the outer one and any @Nested within it. */
    private int classDepth;
    private volatile TestScope test;

    private ChatServerExtension(SessionFactory factory) {
        this.factory = factory;
    }

    /**
     * Returns an extension whose server runs {@code factory}'s sessions.
     *
     * @param factory creates a session for each connection the server accepts (and for each injected harness)
     * @return a new extension, to register in a {@code @RegisterExtension} field
     */
    public static ChatServerExtension serving(SessionFactory factory) {
        return new ChatServerExtension(Objects.requireNonNull(factory, "factory"));
    }

    /**
     * Sets the options of the server's connections (and of injected harnesses); default the defaults.
     *
     * @param options the buffer sizes, limits and timeouts every connection and harness runs with
     * @return this extension, for chaining
     */
    public ChatServerExtension options(ChatOptions options) {
        this.options = Objects.requireNonNull(options, "options");
        return this;
    }

    /**
     * Makes every test fail if a virtual thread was pinned while it ran (JFR {@code jdk.VirtualThreadPinned}).
     *
     * @return this extension, for chaining
     */
    public ChatServerExtension failOnPinning() {
        this.failOnPinning = true;
        return this;
    }

    /**
     * Sets how long the end-of-test check waits for sessions to close and threads to end; default 5 seconds.
     *
     * @param timeout the longest the check (and {@link #awaitSessions}) waits; positive
     * @return this extension, for chaining
     * @throws IllegalArgumentException if {@code timeout} is not positive
     */
    public ChatServerExtension leakTimeout(Duration timeout) {
        this.leakTimeout = Durations.positive(Objects.requireNonNull(timeout, "timeout"), "timeout");
        return this;
    }

    /**
     * Returns the running server.
     *
     * @return the server this extension started on 127.0.0.1, for this test class or this test method
     * @throws IllegalStateException outside a test, or in a static method of a test whose server is per method
     */
    public ChatServer server() {
        ChatServer running = server;
        if (running == null) throw new IllegalStateException("server() before the extension started the server");
        return running;
    }

    /**
     * Returns the server's port.
     *
     * @return the ephemeral port the server listens on at 127.0.0.1
     * @throws IllegalStateException when {@link #server()} would, as no server is running
     */
    public int port() {
        return server().port();
    }

    /**
     * Returns a new conversation with the server, closed after the test.
     *
     * @return a client connected to the server's loopback address, which the extension closes after the test
     * @throws IllegalStateException outside a test method (or its {@code @BeforeEach} and {@code @AfterEach})
     */
    public Conversation connect() {
        Conversation conversation = Conversation.connect(InetAddress.getLoopbackAddress().getHostAddress(), port());
        scope().closeAfter(conversation);
        return conversation;
    }

    /**
     * Waits until exactly {@code count} of the server's sessions are open: created by the factory and not yet
     * closed. Returns at once if they are.
     *
     * @param count how many sessions must be open; zero waits for every session to close
     * @throws IllegalArgumentException if {@code count} is negative
     * @throws AssertionError naming the open sessions, if the count is not reached within the
     *                        {@linkplain #leakTimeout leak timeout} (5 seconds unless set)
     */
    public void awaitSessions(int count) {
        if (count < 0) throw new IllegalArgumentException("count < 0: " + count);
        try {
            if (!tracker.awaitOpen(count, System.nanoTime() + leakTimeout.toNanos())) {
                throw new AssertionError("expected " + count + " open sessions within " + Durations.text(leakTimeout)
                        + ", found " + tracker.open().size() + ": " + tracker.open());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + count + " open sessions", e);
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        // A @Nested class inherits the extension and calls this again: one server serves them all.
        if (classDepth++ == 0) {
            serverPerClass = true;
            start();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (--classDepth == 0) stop();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        TestScope scope = new TestScope(ThreadLeaks.snapshot(), failOnPinning ? PinningRecorder.start() : null);
        test = scope;
        if (server == null) start();
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        TestScope scope = scope();
        test = null;
        List<String> problems = new ArrayList<>();
        scope.closeAll(problems);
        long deadline = System.nanoTime() + leakTimeout.toNanos();
        if (!tracker.awaitOpen(0, deadline)) problems.add(leakedSessions());
        if (!serverPerClass) stop();
        List<String> threads = scope.threads.leakedBy(deadline);
        if (!threads.isEmpty()) problems.add(threads.size() + " thread(s) the test started still run "
                + Durations.text(leakTimeout) + " after it:\n" + String.join("\n", threads));
        if (scope.pinning != null) {
            List<String> pinned = scope.pinning.stop();
            if (!pinned.isEmpty()) problems.add(pinned.size() + " virtual thread pinning(s) while the test ran "
                    + "(JFR jdk.VirtualThreadPinned):\n" + String.join("\n", pinned));
        }
        if (!problems.isEmpty()) throw new AssertionError(String.join("\n", problems));
    }

    private String leakedSessions() {
        List<ChatChannel> open = tracker.open();
        StringBuilder sb = new StringBuilder().append(open.size()).append(" session(s) still open ")
                .append(Durations.text(leakTimeout)).append(" after the test (now closed by the extension):");
        for (ChatChannel channel : open) {
            sb.append("\n\t").append(channel);
            channel.close();
        }
        return sb.toString();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == Conversation.class || type == SessionHarness.class || type == ChatServer.class
                || type == InetSocketAddress.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        if (type == ChatServer.class) return server();
        if (type == InetSocketAddress.class) return new InetSocketAddress(InetAddress.getLoopbackAddress(), port());
        if (type == Conversation.class) return connect();
        SessionHarness harness = SessionHarness.start(options, factory);
        scope().closeAfter(harness);
        return harness;
    }

    private void start() throws IOException {
        server = ChatServer.builder().bindAddress(InetAddress.getLoopbackAddress()).options(options)
                .listen(tracker.wrap(factory));
    }

    private void stop() {
        ChatServer running = server;
        server = null;
        if (running != null) running.close();
    }

    private TestScope scope() {
        TestScope scope = test;
        if (scope == null) throw new IllegalStateException("not inside a test: use the extension in a test method");
        return scope;
    }

    /** What one test opened, and what its end-of-test checks compare with. */
    private static final class TestScope {
        private final ThreadLeaks threads;
        private final PinningRecorder pinning;
        /** Added by the test's thread (and any it starts), closed by the extension after the test. */
        private final ConcurrentLinkedQueue<AutoCloseable> resources = new ConcurrentLinkedQueue<>();

        TestScope(ThreadLeaks threads, PinningRecorder pinning) {
            this.threads = threads;
            this.pinning = pinning;
        }

        void closeAfter(AutoCloseable resource) {
            resources.add(resource);
        }

        /** Closes what the test opened; adds a problem for each that fails to close. */
        void closeAll(List<String> problems) {
            for (AutoCloseable resource; (resource = resources.poll()) != null; ) {
                try {
                    resource.close();
                } catch (Exception e) {
                    problems.add("closing " + resource + " failed: " + e);
                }
            }
        }
    }
}

package io.loomchat.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatSession;
import io.loomchat.server.ChatServer;
import io.loomchat.testkit.examples.Echo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

@Timeout(30)
class ChatServerExtensionTest {
    private static final String FIXTURES = "loomchat.testkit.fixtures";

    @RegisterExtension
    static final ChatServerExtension server = ChatServerExtension.serving(Echo::new);

    @Test
    void injectsAConversationWithTheServer(Conversation client) {
        client.send("hi\r\n").expect("hi\r\n");
    }

    @Test
    void injectsTheServerItsAddressAndAHarnessOfTheSameSessions(ChatServer chatServer, InetSocketAddress address,
                                                                 SessionHarness harness) {
        assertEquals(chatServer.port(), address.getPort());
        assertEquals(server.port(), address.getPort());
        assertTrue(address.getAddress().isLoopbackAddress(), address::toString);
        assertEquals("hi\r\n", harness.feed("hi\r\n").takeOutput());
    }

    @Test
    void awaitSessionsWaitsForTheServerSideOfEachConnection() {
        Conversation alice = server.connect();
        Conversation bob = server.connect();
        server.awaitSessions(2);
        bob.close();
        server.awaitSessions(1);
        alice.send("still here\r\n").expect("still here\r\n");
    }

    @Nested
    class InANestedClass {
        @Test
        void theServerOfTheOuterClassServesItToo(ChatServer chatServer, Conversation client) {
            assertSame(server.server(), chatServer);
            client.send("nested\r\n").expect("nested\r\n");
        }
    }

    @Test
    void awaitSessionsFailsNamingWhatIsOpen() {
        ChatServerExtension quick = ChatServerExtension.serving(Echo::new).leakTimeout(Duration.ofMillis(100));
        AssertionError e = assertThrows(AssertionError.class, () -> quick.awaitSessions(1));
        assertEquals("expected 1 open sessions within 100 ms, found 0: []", e.getMessage());
    }

    // --- What the extension does to whole test classes, run through the JUnit Platform's EngineTestKit. ---

    static final List<Object> seen = new CopyOnWriteArrayList<>();
    static final CountDownLatch releaseLeaks = new CountDownLatch(1);
    static volatile Socket leakedSocket;

    @Test
    void aServerInAStaticFieldServesEveryTestOfTheClassThenCloses() {
        seen.clear();
        run(PerClass.class).testEvents().assertStatistics(stats -> stats.succeeded(2).failed(0));
        assertEquals(2, seen.size());
        assertTrue(seen.get(0) == seen.get(1), "one server for both tests");
        assertRefusesConnections((ChatServer) seen.get(0));
    }

    @Test
    void aServerInAnInstanceFieldIsStartedForEachTestThenCloses() {
        seen.clear();
        run(PerMethod.class).testEvents().assertStatistics(stats -> stats.succeeded(2).failed(0));
        assertNotSame(seen.get(0), seen.get(1));
        assertRefusesConnections((ChatServer) seen.get(0));
        assertRefusesConnections((ChatServer) seen.get(1));
    }

    @Test
    void aConnectionLeftOpenFailsTheTestThatLeftItAndIsClosed() throws IOException {
        try {
            String message = failure(run(LeavesAConnectionOpen.class));
            assertTrue(message.startsWith("1 session(s) still open 300 ms after the test (now closed by the "
                    + "extension):\n\tChatChannel[loomchat-conn-"), message);
            assertEquals(-1, leakedSocket.getInputStream().read(), "the extension closed the leaked session");
        } finally {
            leakedSocket.close();
        }
    }

    @Test
    void threadsLeftRunningFailTheTestNamingThem() {
        try {
            String message = failure(run(LeavesThreadsRunning.class));
            assertTrue(message.startsWith("2 thread(s) the test started still run 300 ms after it:\n"), message);
            assertTrue(message.contains("thread \"leaky-platform\"\n\tat "), message);
            assertTrue(message.contains("virtual thread \"leaky-virtual\"\n\tat "), message);
        } finally {
            releaseLeaks.countDown();
        }
    }

    @Test
    void pinningFailsOnlyTheTestsThatAskedForIt() {
        run(PinsButDoesNotCheck.class).testEvents().assertStatistics(stats -> stats.succeeded(1).failed(0));
        String message = failure(run(PinsAndChecks.class));
        assertTrue(message.startsWith("1 virtual thread pinning(s) while the test ran (JFR jdk.VirtualThreadPinned):\n"
                + "loomchat-conn-"), message);
        assertTrue(message.contains("SlowToInitialize"), message);
    }

    private static EngineExecutionResults run(Class<?> fixture) {
        return EngineTestKit.engine("junit-jupiter").configurationParameter(FIXTURES, "true")
                .selectors(selectClass(fixture)).execute();
    }

    private static String failure(EngineExecutionResults results) {
        List<Event> failed = results.testEvents().failed().list();
        assertEquals(1, failed.size(), () -> "failed: " + failed + ", all: " + results.testEvents().list());
        TestExecutionResult result = failed.get(0).getPayload(TestExecutionResult.class).orElseThrow();
        return result.getThrowable().orElseThrow().getMessage();
    }

    private static void assertRefusesConnections(ChatServer closed) {
        assertThrows(UncheckedIOException.class, () -> Conversation.connect(closed).close());
    }

    /** Runs the fixtures below only inside {@link EngineTestKit}: each of them is meant to fail. */
    static final class OnlyInEngineTestKit implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getConfigurationParameter(FIXTURES).isPresent()
                    ? ConditionEvaluationResult.enabled("run by ChatServerExtensionTest")
                    : ConditionEvaluationResult.disabled("a fixture of ChatServerExtensionTest");
        }
    }

    @ExtendWith(OnlyInEngineTestKit.class)
    static class PerClass {
        @RegisterExtension
        static final ChatServerExtension server = ChatServerExtension.serving(Echo::new);

        @Test
        void first(ChatServer chatServer, Conversation client) {
            seen.add(chatServer);
            client.send("1\r\n").expect("1\r\n");
        }

        @Test
        void second(ChatServer chatServer, Conversation client) {
            seen.add(chatServer);
            client.send("2\r\n").expect("2\r\n");
        }
    }

    @ExtendWith(OnlyInEngineTestKit.class)
    static class PerMethod {
        @RegisterExtension
        final ChatServerExtension server = ChatServerExtension.serving(Echo::new);

        @Test
        void first(Conversation client) {
            seen.add(server.server());
            client.send("1\r\n").expect("1\r\n");
        }

        @Test
        void second(Conversation client) {
            seen.add(server.server());
            client.send("2\r\n").expect("2\r\n");
        }
    }

    @ExtendWith(OnlyInEngineTestKit.class)
    static class LeavesAConnectionOpen {
        @RegisterExtension
        static final ChatServerExtension server = ChatServerExtension.serving(Echo::new)
                .leakTimeout(Duration.ofMillis(300));

        @Test
        void opensASocketAndKeepsIt() throws IOException {
            leakedSocket = new Socket("127.0.0.1", server.port());
            leakedSocket.setSoTimeout(10_000);
            server.awaitSessions(1);
        }
    }

    @ExtendWith(OnlyInEngineTestKit.class)
    static class LeavesThreadsRunning {
        @RegisterExtension
        static final ChatServerExtension server = ChatServerExtension.serving(Echo::new)
                .leakTimeout(Duration.ofMillis(300));

        @Test
        void startsTwoThreadsThatWait() {
            Runnable waitForRelease = () -> {
                try {
                    releaseLeaks.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
            Thread.ofPlatform().name("leaky-platform").daemon().start(waitForRelease);
            Thread.ofVirtual().name("leaky-virtual").start(waitForRelease);
        }
    }

    /** A session whose first line makes its connection thread initialize a class that blocks: that pins. */
    static ChatSession pinningSession(ChatChannel channel) {
        channel.setTerminator("\r\n");
        return new ChatSession() {
            @Override public void collectIncomingData(byte[] data) { }

            @Override public void foundTerminator() {
                channel.push(SlowToInitialize.READY);
            }
        };
    }

    /** Blocks in its static initializer, where a virtual thread cannot unmount (JDK 21 to 25 alike). */
    static final class SlowToInitialize {
        static final String READY;

        static {
            try {
                // The blocking call is the point: it happens while the class is being initialized.
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            READY = "ready\r\n";
        }
    }

    /** Same class initializer twice would not block twice, so each fixture has its own. */
    @ExtendWith(OnlyInEngineTestKit.class)
    static class PinsButDoesNotCheck {
        @RegisterExtension
        final ChatServerExtension server = ChatServerExtension.serving(channel -> {
            channel.setTerminator("\r\n");
            return new ChatSession() {
                @Override public void collectIncomingData(byte[] data) { }

                @Override public void foundTerminator() {
                    channel.push(AlsoSlowToInitialize.READY);
                }
            };
        });

        @Test
        void pinsTheConnectionThread(Conversation client) {
            client.send("go\r\n").expect("ready\r\n");
        }
    }

    @ExtendWith(OnlyInEngineTestKit.class)
    static class PinsAndChecks {
        @RegisterExtension
        final ChatServerExtension server = ChatServerExtension.serving(ChatServerExtensionTest::pinningSession)
                .failOnPinning();

        @Test
        void pinsTheConnectionThread(Conversation client) {
            client.send("go\r\n").expect("ready\r\n");
        }
    }

    /** The class initializer of {@link PinsButDoesNotCheck}. */
    static final class AlsoSlowToInitialize {
        static final String READY;

        static {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            READY = "ready\r\n";
        }
    }

    @Test
    void fixturesDoNotRunOnTheirOwn() {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(PinsAndChecks.class)).execute();
        assertEquals(0, results.testEvents().started().count());
        assertFalse(results.containerEvents().skipped().list().isEmpty());
    }
}

package io.loomchat.examples;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.ChatOptions;
import io.loomchat.examples.chat.ChatRoom;
import io.loomchat.examples.chat.RedisBackplane;
import io.loomchat.server.ChatServer;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chat room across instances: two instances of the room (servers in this JVM, or a {@code ./demo chat --redis}
 * process) on a real {@code redis-server} started by the test, with members on real sockets ({@code nc} and plain).
 */
@Timeout(120)
class RedisChatRoomTest {
    private static final String PROMPT = "* welcome to the loomchat room; your nickname?\r\n";
    /** The bound docs/scale-out.md states for a killed instance's members to be announced as left. */
    private static final Duration LEFT_BOUND = RedisBackplane.TTL.plus(RedisBackplane.HEARTBEAT);
    /** What a loaded test machine may add to that bound. */
    private static final Duration SLACK = Duration.ofSeconds(1);

    @TempDir
    Path dir;
    private RedisServerProcess redis;
    private CapturedLog jedis;
    private Instance a;
    private Instance b;

    /** One chat instance: a room on its own Redis backplane, served on a free port of 127.0.0.1. */
    private record Instance(RedisBackplane backplane, ChatRoom room, ChatServer server) {
        static Instance start(String uri) throws Exception {
            RedisBackplane backplane = RedisBackplane.connect(uri);
            ChatRoom room = new ChatRoom(backplane);
            ChatServer server = ChatServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0)
                    .options(ChatOptions.defaults().withWriteTimeout(Duration.ofSeconds(2))).listen(room);
            await("instance subscribed").atMost(Duration.ofSeconds(10)).until(backplane::subscribed);
            return new Instance(backplane, room, server);
        }

        int port() {
            return server.port();
        }

        void close() {
            server.close();
            room.close();
        }
    }

    @BeforeEach
    void start() throws Exception {
        jedis = CapturedLog.of("redis.clients.jedis");
        redis = RedisServerProcess.start(dir);
        a = Instance.start(redis.uri());
        b = Instance.start(redis.uri());
    }

    @AfterEach
    void stop() throws Exception {
        if (a != null) a.close();
        if (b != null) b.close();
        redis.close();
        jedis.close();
        // Jedis, borrowing a pooled connection that a Redis restart broke, says so, and the pool replaces it.
        for (String warning : jedis.warnings()) {
            assertTrue(warning.startsWith("Error while validating pooled Connection object."), warning);
        }
    }

    @Test
    void membersOnTwoInstancesSeeEachOthersLinesJoinsAndLeaves() throws Exception {
        RealClient.requireOpenBsdNetcat();
        try (RealClient alice = RealClient.start("nc", "127.0.0.1", Integer.toString(a.port()));
             RealClient bob = RealClient.start("nc", "-C", "127.0.0.1", Integer.toString(b.port()))) {
            alice.expectLine(PROMPT);
            alice.send("alice\n");
            alice.expectLine("* hello alice; here: alice; /who lists, /quit leaves\r\n");

            bob.expectLine(PROMPT);
            bob.send("bob\n");
            bob.expectLine("* hello bob; here: alice, bob; /who lists, /quit leaves\r\n");
            alice.expectLine("* bob joined\r\n");

            bob.send("hi alice\n");
            alice.expectLine("bob: hi alice\r\n");
            alice.send("hello bob, caf\u00e9 \u2615\n");
            bob.expectLine("alice: hello bob, caf\u00e9 \u2615\r\n");

            alice.send("/who\n");
            alice.expectLine("* here: alice, bob\r\n");
            bob.send("/who\n");
            bob.expectLine("* here: alice, bob\r\n");

            bob.send("/quit\n");
            bob.expectLine("* bye bob\r\n");
            bob.closeInput();
            assertEquals(0, bob.awaitExit(), "nc exit code");
            alice.expectLine("* bob left\r\n");
            alice.send("/who\n");
            alice.expectLine("* here: alice\r\n");
        }
    }

    @Test
    void aNicknameIsTakenOnEveryInstanceUntilItsMemberLeaves() throws Exception {
        try (Peer alice = join(a, "alice"); Peer carol = join(b, "carol"); Peer other = Peer.connect(b.port())) {
            alice.expectLine("* carol joined\r\n");
            other.expectLine(PROMPT);
            other.send("alice\n");
            other.expectLine("* alice is taken; your nickname?\r\n");

            alice.send("/quit\n");
            alice.expectLine("* bye alice\r\n");
            // Announced after the nickname is given back: from then on, it is free on every instance.
            carol.expectLine("* alice left\r\n");
            other.send("alice\n");
            other.expectLine("* hello alice; here: alice, carol; /who lists, /quit leaves\r\n");
        }
    }

    @Test
    void aClosedInstancesMembersAreToldGoodbyeAndTheOthersHearThemLeaveAtOnce() throws Exception {
        try (Peer alice = join(a, "alice"); Peer bob = join(b, "bob")) {
            alice.expectLine("* bob joined\r\n");
            b.close();
            b = null;
            bob.expectLine("* the room is closing; goodbye\r\n");
            bob.expectClosed();
            alice.expectLine("* bob left\r\n");
            alice.send("/who\n");
            alice.expectLine("* here: alice\r\n");
        }
    }

    @Test
    void aKilledInstancesMembersLeaveTheRoomWithinTheBoundAndTheOthersTalkOn() throws Exception {
        Map<String, String> noBuild = Map.of("LOOMCHAT_DEMO_NO_BUILD", "1");
        String demo = Path.of("../../demo").toAbsolutePath().normalize().toString();
        try (Peer alice = join(a, "alice"); Peer dave = join(b, "dave");
             RealClient c = RealClient.start(noBuild, demo, "chat", "--port", "0", "--redis", redis.uri(), "--quiet")) {
            alice.expectLine("* dave joined\r\n");
            try (Peer bob = join(bannerPort(c), "bob")) {
                alice.expectLine("* bob joined\r\n");
                dave.expectLine("* bob joined\r\n");
                alice.send("/who\n");
                alice.expectLine("* here: alice, bob, dave\r\n");

                long killed = System.nanoTime();
                c.kill(); // no goodbye, no clean-up; its heartbeat stops
                alice.expectLine("* bob left\r\n");
                Duration took = Duration.ofNanos(System.nanoTime() - killed);
                assertTrue(took.compareTo(LEFT_BOUND.plus(SLACK)) <= 0, "bob was announced as left after " + took);
                dave.expectLine("* bob left\r\n");
                bob.expectClosed();
            }
            alice.send("/who\n");
            alice.expectLine("* here: alice, dave\r\n");
            alice.send("still here\n");
            dave.expectLine("alice: still here\r\n");
        }
    }

    @Test
    void afterRedisRestartsTheInstancesReconnectAndLinesSentMeanwhileStayOnTheirInstance() throws Exception {
        try (CapturedLog log = CapturedLog.of(RedisBackplane.class);
             Peer alice = join(a, "alice"); Peer carol = join(a, "carol"); Peer bob = join(b, "bob")) {
            alice.expectLine("* carol joined\r\n");
            alice.expectLine("* bob joined\r\n");
            carol.expectLine("* bob joined\r\n");

            redis.kill();
            await("both instances see Redis gone").atMost(Duration.ofSeconds(10))
                    .until(() -> !a.backplane().subscribed() && !b.backplane().subscribed());
            alice.send("while redis is down\n");
            carol.expectLine("alice: while redis is down\r\n");
            alice.expectLine("* the other instances are out of reach: only members here got that\r\n");
            alice.send("/who\n");
            alice.expectLine("* here: alice, carol (only this instance: the others are out of reach)\r\n");

            redis.start(); // same port, empty: the instances write their keys again
            await("both instances subscribed again").atMost(RedisBackplane.MAX_BACKOFF.plus(Duration.ofSeconds(8)))
                    .until(() -> a.backplane().subscribed() && b.backplane().subscribed());
            alice.send("/who\n");
            alice.expectLine("* here: alice, bob, carol\r\n");
            alice.send("redis is back\n");
            // bob's next line: the line sent meanwhile never reached him.
            bob.expectLine("alice: redis is back\r\n");
            bob.send("hello again\n");
            alice.expectLine("bob: hello again\r\n");
            carol.expectLine("alice: redis is back\r\n");
            carol.expectLine("bob: hello again\r\n");

            List<String> warnings = log.warnings();
            assertEquals(2, warnings.size(), "one warning per instance: " + warnings);
            for (String warning : warnings) {
                assertTrue(warning.contains("Redis out of reach") && warning.contains("are dropped until it is back"),
                        warning);
            }
            String port = redis.uri().substring(redis.uri().lastIndexOf(':') + 1);
            assertTrue(log.messages().contains("127.0.0.1:" + port
                    + ": Redis reachable again; lines not sent to the other instances meanwhile: 1"), log.messages()
                    .toString());
        }
    }

    /** Connects to {@code instance} and joins as {@code nickname}. */
    private static Peer join(Instance instance, String nickname) throws Exception {
        return join(instance.port(), nickname);
    }

    private static Peer join(int port, String nickname) throws Exception {
        Peer peer = Peer.connect(port);
        peer.expectLine(PROMPT);
        peer.send(nickname + "\n");
        String welcome = peer.readLine();
        assertEquals("* hello " + nickname, welcome.substring(0, welcome.indexOf(';')), welcome);
        return peer;
    }

    /** Reads the demo's banner line for the chat room and returns its port. */
    private static int bannerPort(RealClient demo) throws InterruptedException {
        String line = demo.awaitLineStartingWith("  chat ");
        Matcher port = Pattern.compile("^  chat +[0-9.]+:(\\d+) ").matcher(line);
        assertTrue(port.find(), line);
        return Integer.parseInt(port.group(1));
    }
}

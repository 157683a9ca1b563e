package io.loomchat.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatConnection;
import io.loomchat.core.ChatOptions;
import io.loomchat.core.ChatSession;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fails if loomchat pins a carrier thread: an echo workload runs over loopback sockets while a flight recording
 * keeps every {@code jdk.VirtualThreadPinned} event (threshold 0, with stack traces). A control that pins on
 * purpose proves that the recording sees pinning at all. On JDK 21 to 23 this catches blocking inside
 * {@code synchronized}; from JDK 24 on, monitors no longer pin, but native frames and class initializers still do.
 */
@Timeout(120)
class PinningTest {
    private static final String SETTINGS = """
            <?xml version="1.0" encoding="UTF-8"?>
            <configuration version="2.0" label="loomchat pinning">
              <event name="jdk.VirtualThreadPinned">
                <setting name="enabled">true</setting>
                <setting name="stackTrace">true</setting>
                <setting name="threshold">0 ms</setting>
              </event>
              <event name="io.loomchat.ConnectionOpened"><setting name="enabled">true</setting></event>
              <event name="io.loomchat.ConnectionClosed"><setting name="enabled">true</setting></event>
              <event name="io.loomchat.SlowConsumerClosed"><setting name="enabled">true</setting></event>
            </configuration>
            """;
    private static final String CONTROL_THREAD = "pinning-control";

    @Test
    void echoWorkloadNeverPinsACarrierThreadInLoomchatCode(@TempDir Path dir) throws Exception {
        Path settings = Files.writeString(dir.resolve("pinning.jfc"), SETTINGS);
        Path recording = dir.resolve("pinning.jfr");
        String name = "loomchat-pinning";
        // A warm-up first, recording with the same settings: a class initialized by several virtual threads at
        // once pins those waiting for it (JFR's own writer classes too, on loomchat's first event), a one-time
        // JVM cost that is not what this test looks for.
        JdkTools.jcmd("JFR.start", "name=" + name + "-warmup", "settings=" + settings);
        try {
            echoConversations();
            lineChatWithPushesFromManyThreads();
        } finally {
            JdkTools.jcmd("JFR.stop", "name=" + name + "-warmup");
        }
        JdkTools.jcmd("JFR.start", "name=" + name, "settings=" + settings);
        try {
            echoConversations();
            lineChatWithPushesFromManyThreads();
            pinOnPurpose();
        } finally {
            JdkTools.jcmd("JFR.stop", "name=" + name, "filename=" + recording);
        }

        List<String> events = pinnedEvents(recording);
        assertTrue(events.stream().anyMatch(PinningTest::isControl), "the recording saw the control pin: " + events);
        List<String> fromLoomchat = events.stream().filter(e -> !isControl(e)).filter(PinningTest::inLoomchat).toList();
        assertEquals(List.of(), fromLoomchat, "pinned in loomchat code");
    }

    /** PyMOTW's echo conversation, loomchat on both ends, 24 at once. */
    private static void echoConversations() throws Exception {
        try (ChatServer server = ChatServer.builder().bindAddress(InetAddress.getLoopbackAddress())
                .listen(EchoHandler::new)) {
            List<byte[]> messages = new ArrayList<>();
            List<CompletableFuture<byte[]>> echoes = new ArrayList<>();
            List<ChatConnection> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 24; i++) {
                    messages.add(EchoConversationTest.random(20_000, i));
                    echoes.add(new CompletableFuture<>());
                    clients.add(EchoClient.converse(server.port(), ChatOptions.defaults(), messages.get(i),
                            echoes.get(i)));
                }
                for (int i = 0; i < messages.size(); i++) {
                    assertArrayEquals(messages.get(i), echoes.get(i).get(PlainClient.TIMEOUT.toMillis(),
                            TimeUnit.MILLISECONDS));
                }
            } finally {
                clients.forEach(ChatConnection::close);
            }
        }
    }

    /** A line server whose one channel gets pushes from many threads while its own session echoes. */
    private static void lineChatWithPushesFromManyThreads() throws Exception {
        CompletableFuture<ChatChannel> channel = new CompletableFuture<>();
        try (ChatServer server = ChatServer.builder().bindAddress(InetAddress.getLoopbackAddress())
                .listen(c -> new Echo(c, channel));
             PlainClient client = PlainClient.connect(server.port());
             ExecutorService pushers = Executors.newVirtualThreadPerTaskExecutor()) {
            ChatChannel serverSide = channel.get(PlainClient.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            List<Future<?>> pushed = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                pushed.add(pushers.submit(() -> {
                    for (int i = 0; i < 200; i++) serverSide.push("x\n");
                }));
            }
            byte[] lines = new byte[200 * 6];
            Arrays.fill(lines, (byte) 'y');
            for (int i = 5; i < lines.length; i += 6) lines[i] = '\n';
            client.send(List.of(lines));
            for (Future<?> f : pushed) f.get(PlainClient.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            client.shutdownOutput(); // the server echoes every line, writes what was queued, and closes

            assertEquals(8 * 200 * 2 + lines.length, client.readToEnd().length);
        }
    }

    /** Blocks a virtual thread in a class initializer, which pins it on every JDK from 21 on. */
    private static void pinOnPurpose() throws InterruptedException {
        Thread control = Thread.ofVirtual().name(CONTROL_THREAD).start(SlowInit::touch);
        assertTrue(control.join(PlainClient.TIMEOUT), "the control ended");
    }

    private static List<String> pinnedEvents(Path recording) throws Exception {
        String printed = JdkTools.jfr("print", "--stack-depth", "64", "--events", "jdk.VirtualThreadPinned",
                recording.toString());
        return Arrays.stream(printed.split("jdk\\.VirtualThreadPinned \\{")).skip(1).toList();
    }

    private static boolean isControl(String event) {
        return event.contains("eventThread = \"" + CONTROL_THREAD + "\"");
    }

    /** Whether the pinned thread is one of loomchat's, or any frame on its stack is loomchat code. */
    private static boolean inLoomchat(String event) {
        return event.contains("eventThread = \"loomchat-")
                || event.lines().anyMatch(line -> line.strip().startsWith("io.loomchat."));
    }

    /** Echoes lines, and hands its channel to the test. */
    private static final class Echo implements ChatSession {
        private final ChatChannel channel;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        Echo(ChatChannel channel, CompletableFuture<ChatChannel> handOut) {
            this.channel = channel;
            channel.setTerminator("\n");
            handOut.complete(channel);
        }

        @Override
        public void collectIncomingData(byte[] data) {
            line.writeBytes(data);
        }

        @Override
        public void foundTerminator() {
            line.writeBytes("\n".getBytes(StandardCharsets.UTF_8));
            channel.push(line.toByteArray());
            line.reset();
        }
    }

    /** Its static initializer blocks for a moment: a virtual thread initializing it is pinned meanwhile. */
    private static final class SlowInit {
        static {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        static void touch() {
            // initializing the class is the point
        }
    }
}

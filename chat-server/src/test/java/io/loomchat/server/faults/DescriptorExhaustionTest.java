package io.loomchat.server.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.server.CapturedLog;
import io.loomchat.server.ChatServer;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The accept loop survives running out of file descriptors ({@code EMFILE}): it logs, backs off, and serves the
 * waiting connection as soon as descriptors are free again.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DescriptorExhaustionTest {
    /** A client in a process of its own (whose descriptors are its own): connects on "go", prints the reply. */
    private static final String CLIENT = """
            import socket, sys
            sys.stdin.readline()
            s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
            s.sendall(b"ECHO after-emfile\\n")
            reply = b""
            while not reply.endswith(b"\\n"):
                chunk = s.recv(100)
                if not chunk:
                    break
                reply += chunk
            print(reply.decode(), end="", flush=True)
            """;

    @Test
    void acceptLoopServesAgainOnceDescriptorsAreFree() throws Exception {
        FaultProtocol.reset();
        try (ChatServer server = ChatServer.listen(0, FaultProtocol::new)) {
            try (Peer warmUp = new Peer(server.port())) {
                warmUp.assertServed("classes-loaded");  // nothing left to load while descriptors are out
            }
            assertEquals(1, server.stats().accepted());  // loads the stats classes now, for the same reason
            // Started first: starting a process needs descriptors for its pipes.
            Process client = new ProcessBuilder("python3", "-c", CLIENT, Integer.toString(server.port()))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            List<InputStream> hog = new ArrayList<>();
            // Opened before the outage: the accept loop's warnings are kept and checked, not printed.
            try (CapturedLog log = CapturedLog.of("io.loomchat.server.internal.AcceptLoop")) {
                try {
                    OutputStream go = client.getOutputStream();
                    exhaustDescriptors(hog);
                    go.write('\n');  // the client connects now; the server's accept fails with EMFILE
                    go.flush();
                    // Let the accept loop fail and back off a few times (its 100 ms pause) before freeing
                    // descriptors.
                    assertTrue(client.isAlive());
                    Thread.sleep(500);  // the length of the outage itself, not a wait for a condition
                    assertEquals(1, server.stats().accepted(), "nothing could be accepted meanwhile but the warm-up");
                } finally {
                    for (InputStream in : hog) in.close();
                }
                assertTrue(client.waitFor(20, TimeUnit.SECONDS), "the client got its reply and ended");
                List<String> warnings = log.warnings();
                assertTrue(!warnings.isEmpty() && warnings.stream().allMatch(w -> w.startsWith("accept failed on ")
                        && w.contains("Too many open files") && w.endsWith("retrying in 100 ms")), warnings::toString);
            }
            assertEquals("after-emfile\n", new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            try (Peer after = new Peer(server.port())) {
                after.assertServed("and-on");
            }
        }
    }

    /** Opens /dev/null until the process is out of descriptors. */
    private static void exhaustDescriptors(List<InputStream> hog) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                hog.add(new FileInputStream("/dev/null"));
            } catch (IOException outOfDescriptors) {
                return;
            }
        }
        throw new AssertionError("still had descriptors after opening " + hog.size());
    }
}

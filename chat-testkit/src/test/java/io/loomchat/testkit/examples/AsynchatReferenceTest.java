package io.loomchat.testkit.examples;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.loomchat.testkit.Conversation;
import io.loomchat.testkit.Fragmentation;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The echo transcript against Python's asynchat echo server: a conversation works with any host:port, and the
 * loomchat echo of {@link EchoTest} answers exactly as asynchat does.
 */
@Timeout(30)
class AsynchatReferenceTest {
    private static Process python;
    private static int port;

    @BeforeAll
    static void startPythonEcho() throws Exception {
        assumeTrue(pythonHasAsynchat(), "python3 with asynchat (3.11 or older) is not installed");
        python = new ProcessBuilder("python3", "-W", "ignore", "src/test/resources/asynchat_echo.py")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(python.getInputStream(), StandardCharsets.UTF_8));
        port = Integer.parseInt(CompletableFuture.supplyAsync(() -> readLine(out)).get(10, TimeUnit.SECONDS).strip());
    }

    @AfterAll
    static void stopPythonEcho() throws InterruptedException {
        if (python == null) return;
        python.destroy();
        python.waitFor(5, TimeUnit.SECONDS);
    }

    @Test
    void pythonsAsynchatEchoAnswersTheEchoTranscript() {
        try (Conversation client = Conversation.connect("127.0.0.1", port)) {
            client.replay(Path.of("src/test/resources/transcripts/echo.txt"));
        }
    }

    @Test
    void pythonsAsynchatEchoHoldsUnderFragmentationToo() {
        Fragmentation.overSocket("127.0.0.1", port)
                .replay(client -> client.send("hello\r\n").expect("hello\r\n").send("a\r\nb\r\n").expect("a\r\nb\r\n"));
    }

    private static boolean pythonHasAsynchat() throws InterruptedException {
        try {
            Process check = new ProcessBuilder("python3", "-W", "ignore", "-c", "import asynchat, asyncore")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return check.waitFor(10, TimeUnit.SECONDS) && check.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static String readLine(BufferedReader reader) {
        try {
            String line = reader.readLine();
            if (line == null) throw new IllegalStateException("the Python echo server exited before printing its port");
            return line;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

}

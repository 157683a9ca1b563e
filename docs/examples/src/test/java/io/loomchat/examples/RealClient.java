package io.loomchat.examples;

import static io.loomchat.examples.Escape.escape;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs a real client (nc, curl, redis-cli, swaks, wrk, python3) as a process, always bounded in time. A client
 * that is not installed fails the test, naming the Debian package that provides it: never a silent skip.
 */
final class RealClient implements AutoCloseable {
    /** The longest any one client run may take. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** How long an interactive client may take to print its next line. */
    private static final Duration LINE_TIMEOUT = Duration.ofSeconds(10);

    private final List<String> command;
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuffer transcript = new StringBuffer();
    private final CompletableFuture<String> stderr;

    private RealClient(List<String> command, Map<String, String> environment) throws IOException {
        this.command = command;
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        this.process = builder.start();
        this.stderr = readAll(process.getErrorStream()).thenApply(b -> new String(b, StandardCharsets.UTF_8));
        Thread.ofVirtual().name("stdout of " + command.get(0)).start(this::readLines);
    }

    /** The outcome of a client run to its end. */
    record Result(int exitCode, byte[] stdout, String stderr) {
        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    /** Fails unless {@code binary} is on the PATH; the message names the Debian package to install. */
    static void require(String binary, String debianPackage) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, binary))) return;
        }
        fail(binary + " is not installed, and this test needs the real client: install the Debian package "
                + debianPackage + " (apt-get install -y " + debianPackage + "); ./check does that");
    }

    /** Fails unless the {@code nc} on the PATH is OpenBSD's (Debian netcat-openbsd), whose flags the tests use. */
    static void requireOpenBsdNetcat() throws IOException, InterruptedException {
        require("nc", "netcat-openbsd");
        Result help = run(new byte[0], "nc", "-h");
        if (!(help.out() + help.stderr()).contains("OpenBSD netcat")) {
            fail("the nc on the PATH is not OpenBSD netcat: install the Debian package netcat-openbsd "
                    + "(apt-get install -y netcat-openbsd); nc -h said: " + help.stderr());
        }
    }

    /** Runs {@code command} with {@code stdin} as its input and waits for it to end, at most {@link #TIMEOUT}. */
    static Result run(byte[] stdin, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).start();
        CompletableFuture<byte[]> out = readAll(process.getInputStream());
        CompletableFuture<byte[]> err = readAll(process.getErrorStream());
        Thread.ofVirtual().start(() -> {
            try (OutputStream in = process.getOutputStream()) {
                in.write(stdin);
            } catch (IOException e) {
                // the client stopped reading its input; its exit code and output tell the test what happened
            }
        });
        if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            fail(String.join(" ", command) + " did not finish within " + TIMEOUT + "; stdout so far: \""
                    + escape(out.getNow(new byte[0])) + "\"");
        }
        return new Result(process.exitValue(), join(out), new String(join(err), StandardCharsets.UTF_8));
    }

    /** Runs {@code command} without input and checks that it exits with 0. */
    static Result runOk(String... command) throws IOException, InterruptedException {
        Result result = run(new byte[0], command);
        assertEquals(0, result.exitCode(), () -> String.join(" ", command) + " failed; stdout: \""
                + escape(result.stdout()) + "\"; stderr: " + result.stderr());
        return result;
    }

    /** Starts {@code command} to talk to it line by line. */
    static RealClient start(String... command) throws IOException {
        return start(Map.of(), command);
    }

    /** Starts {@code command} with extra environment variables, to talk to it line by line. */
    static RealClient start(Map<String, String> environment, String... command) throws IOException {
        return new RealClient(List.of(command), environment);
    }

    /** Returns the process id of the client. */
    long pid() {
        return process.pid();
    }

    /** Writes {@code text} (UTF-8) to the client's input. */
    void send(String text) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write(text.getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** Closes the client's input, as Ctrl-D does in a terminal. */
    void closeInput() throws IOException {
        process.getOutputStream().close();
    }

    /** Returns the next line the client printed, with its line ending; fails if none comes in time. */
    String nextLine() throws InterruptedException {
        String line = lines.poll(LINE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null) {
            fail(command.get(0) + " printed no line within " + LINE_TIMEOUT + (process.isAlive() ? "" : " and exited")
                    + "; it printed so far: \"" + escape(transcript.toString()) + "\"; stderr: " + stderr.getNow("?"));
        }
        return line;
    }

    /** Reads the client's next line and checks it, escaped, against {@code expected}. */
    void expectLine(String expected) throws InterruptedException {
        assertEquals(escape(expected), escape(nextLine()), () -> command.get(0) + " printed");
    }

    /** Returns the next line that starts with {@code prefix}, skipping others; fails if none comes in time. */
    String awaitLineStartingWith(String prefix) throws InterruptedException {
        while (true) {
            String line = nextLine();
            if (line.startsWith(prefix)) return line;
        }
    }

    /** Returns the next line that contains {@code text}, skipping others; fails if none comes in time. */
    String awaitLineContaining(String text) throws InterruptedException {
        while (true) {
            String line = nextLine();
            if (line.contains(text)) return line;
        }
    }

    /** Waits for the client to exit, at most {@link #TIMEOUT}, and returns its exit code. */
    int awaitExit() throws InterruptedException {
        if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            fail(command.get(0) + " did not exit within " + TIMEOUT + "; it printed: \"" + escape(transcript.toString())
                    + "\"");
        }
        return process.exitValue();
    }

    /** Sends the client SIGTERM, as a service manager or a benchmark harness stops a server. */
    void terminate() {
        // Through the handle: Process.destroy() would also close our ends of its pipes, losing its last words.
        process.toHandle().destroy();
    }

    /** Kills the client at once (SIGKILL), as a crash would: no shutdown hook runs. */
    void kill() {
        process.destroyForcibly();
    }

    @Override
    public void close() {
        if (process.isAlive()) process.destroyForcibly();
    }

    private void readLines() {
        try (InputStream out = process.getInputStream()) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b = out.read(); b >= 0; b = out.read()) {
                line.write(b);
                if (b == '\n') {
                    String text = line.toString(StandardCharsets.UTF_8);
                    transcript.append(text);
                    lines.add(text);
                    line.reset();
                }
            }
            transcript.append(line.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the process was destroyed; the lines read so far stay in the transcript
        }
    }

    private static CompletableFuture<byte[]> readAll(InputStream stream) {
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (stream) {
                result.complete(stream.readAllBytes());
            } catch (IOException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    private static byte[] join(CompletableFuture<byte[]> output) {
        try {
            return output.get(LINE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("could not read a client's output", e);
        }
    }
}

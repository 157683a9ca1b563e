package io.loomchat.testkit;

import io.loomchat.core.ChatOptions;
import io.loomchat.core.SessionFactory;
import io.loomchat.testkit.internal.Candidates;
import io.loomchat.testkit.internal.Durations;
import io.loomchat.testkit.internal.FragmentationProof;
import io.loomchat.testkit.internal.InMemoryConnection;
import io.loomchat.testkit.internal.MemoryRunner;
import io.loomchat.testkit.internal.PacedServer;
import io.loomchat.testkit.internal.Pacings;
import io.loomchat.testkit.internal.Runner;
import io.loomchat.testkit.internal.SessionPeer;
import io.loomchat.testkit.internal.SessionTracker;
import io.loomchat.testkit.internal.SocketRunner;
import io.loomchat.testkit.internal.TranscriptLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Proves that a session does the same whatever the fragmentation of its input: replays a conversation with
 * the client's bytes cut into reads in many ways, and fails with the smallest cut that changes the session's
 * output.
 *
 * <p>Terminator protocols break where a test's client never goes: a delimiter split across two reads, a
 * message arriving one byte per packet, two requests in one packet. One call replays the conversation as
 * written (each send one read), then with the whole input in one read, at every single split point (an even
 * sample of 1024 for longer inputs), under seeded random splits, and one byte per read, and compares each
 * result (the output, whether the connection closed, and the session's errors) with the one as written.
 *
 * {@snippet :
 * Fragmentation.of(Echo::new).replay(client -> client
 *         .send("hello\r\n").expect("hello\r\n")
 *         .send("bye\r\n").expect("bye\r\n"));
 * }
 *
 * <p>The conversation runs once as written (once in memory and once over TCP), so its own expectations are
 * checked; then only its sent bytes are replayed. A failure is an {@link AssertionError} that shows the
 * smallest fragmentation found (one from which no split can be removed), the exchange under it and as written,
 * and a transcript that reproduces it.
 *
 * <p>{@link #of} runs every fragmentation in memory, where each fragment is exactly one read of the session,
 * then a bounded number (whole, 24 single split points, 4 random, one byte per read up to 512 bytes) over TCP on
 * 127.0.0.1: each fragment one flushed write with TCP_NODELAY, written only once the session's connection has
 * read the one before (otherwise TCP would merge them), and the output half-closed at the end. Against a server
 * the proof does not run ({@link #overSocket}) it can only write fragments 1 ms apart, which TCP may merge.
 *
 * <p>The session's output must be a function of its input: a session that pushes from other threads or on a
 * timer is not for this proof. Sessions may share state (a chat room): each run starts after the sessions of
 * the one before have been told they closed.
 */
public final class Fragmentation {
    /** The seed of random splits unless {@link #seed} says otherwise, so a failure repeats run after run. */
    public static final long DEFAULT_SEED = 20_240_601L;
    private static final int MEMORY_SINGLE_SPLITS = 1024;
    private static final int MEMORY_BYTEWISE = 8192;
    private static final int MEMORY_SHRINK_RUNS = 2000;
    private static final int SOCKET_SINGLE_SPLITS = 24;
    private static final int SOCKET_BYTEWISE = 512;
    private static final int SOCKET_RANDOM_RUNS = 4;
    private static final int SOCKET_SHRINK_RUNS = 24;

    private final SessionFactory factory;
    private final String host;
    private final int port;
    private ChatOptions options = ChatOptions.defaults();
    private boolean inMemory = true;
    private boolean overTcp = true;
    private long seed = DEFAULT_SEED;
    private int randomRuns = 32;
    private Duration timeout = Conversation.DEFAULT_TIMEOUT;

    private Fragmentation(SessionFactory factory, String host, int port) {
        this.factory = factory;
        this.host = host;
        this.port = port;
    }

    /**
     * Returns a proof for {@code factory}'s sessions: in memory, then over TCP to a server it starts.
     *
     * @param factory creates the sessions under test, a new one for each run
     * @return a proof with the default settings, run by {@link #replay(Consumer)}
     */
    public static Fragmentation of(SessionFactory factory) {
        return new Fragmentation(Objects.requireNonNull(factory, "factory"), null, 0);
    }

    /**
     * Returns a proof whose every run starts from fresh state: each session is created by a factory that
     * {@code factories} makes for it. For a protocol whose factory holds state shared by its sessions (a store, a
     * room), which one run would otherwise leave behind for the next: the runs replay the same conversation, and
     * each must meet the state the first one met.
     * {@snippet :
     * Fragmentation.ofFresh(() -> new KeyValueServer(new Store())).replay(client -> client
     *         .send("set k 1\r\n").expect("STORED\r\n")
     *         .send("add k 2\r\n").expect("NOT_STORED\r\n"));
     * }
     *
     * @param factories makes a factory, with its own state, for each session of each run
     * @return a proof with the default settings, run by {@link #replay(Consumer)}
     */
    public static Fragmentation ofFresh(Supplier<? extends SessionFactory> factories) {
        Objects.requireNonNull(factories, "factories");
        return of(channel -> Objects.requireNonNull(factories.get(), "factories.get() returned null").create(channel));
    }

    /**
     * Returns a proof against a running server, over TCP only. Each run half-closes its output after the last
     * fragment and reads until the server closes, as a loomchat server does once it has answered.
     *
     * @param host the host name or IP address of the server
     * @param port the TCP port the server listens on
     * @return a proof with the default settings, run by {@link #replay(Consumer)}
     */
    public static Fragmentation overSocket(String host, int port) {
        return new Fragmentation(null, Objects.requireNonNull(host, "host"), port);
    }

    /**
     * Sets the options of the sessions' connections; default {@link ChatOptions#defaults()}.
     *
     * @param options the buffer sizes, limits and timeouts each run's connection uses
     * @return this proof, for chaining
     * @throws IllegalStateException for a proof {@link #overSocket over a socket}, whose server has its own
     */
    public Fragmentation options(ChatOptions options) {
        if (factory == null) throw new IllegalStateException("options() of a proof over a socket");
        this.options = Objects.requireNonNull(options, "options");
        return this;
    }

    /**
     * Skips the runs over TCP, for a session whose test must not open sockets.
     *
     * @return this proof, for chaining
     * @throws IllegalStateException for a proof {@link #overSocket over a socket}, which has no runs in memory
     */
    public Fragmentation inMemoryOnly() {
        if (factory == null) throw new IllegalStateException("inMemoryOnly() of a proof over a socket");
        this.inMemory = true;
        this.overTcp = false;
        return this;
    }

    /**
     * Skips the runs in memory, for a session that needs a socket (one that uses its peer's address, say).
     *
     * @return this proof, for chaining
     */
    public Fragmentation overTcpOnly() {
        this.inMemory = false;
        this.overTcp = true;
        return this;
    }

    /**
     * Sets the seed of the random splits; the report names it, so a failure can be replayed.
     *
     * @param seed the seed a failure report names; {@link #DEFAULT_SEED} unless set
     * @return this proof, for chaining
     */
    public Fragmentation seed(long seed) {
        this.seed = seed;
        return this;
    }

    /**
     * Sets how many random fragmentations are tried in memory; default 32.
     *
     * @param runs how many random fragmentations to try; zero tries none (over TCP, at most 4 are tried)
     * @return this proof, for chaining
     * @throws IllegalArgumentException if {@code runs} is negative
     */
    public Fragmentation randomRuns(int runs) {
        if (runs < 0) throw new IllegalArgumentException("runs < 0: " + runs);
        this.randomRuns = runs;
        return this;
    }

    /**
     * Sets how long each step of each run waits for the session; default 5 seconds.
     *
     * @param timeout the longest each step waits; positive
     * @return this proof, for chaining
     * @throws IllegalArgumentException if {@code timeout} is not positive
     */
    public Fragmentation timeout(Duration timeout) {
        this.timeout = Durations.positive(Objects.requireNonNull(timeout, "timeout"), "timeout");
        return this;
    }

    /**
     * Runs {@code conversation} once as written (its expectations are checked), then replays the bytes it sent
     * under every fragmentation. If it half-closed ({@link Conversation#shutdownOutput()}), so does every run.
     *
     * @param conversation the client's script: its sends are replayed, and its expectations checked once
     * @throws AssertionError if the conversation fails, or a fragmentation changes what the session does
     */
    public void replay(Consumer<Conversation> conversation) {
        Objects.requireNonNull(conversation, "conversation");
        if (factory == null) {
            prove(conversation, host, port, Pacings.timed());
            return;
        }
        if (inMemory) proveInMemory(conversation);
        if (overTcp) proveOverServer(conversation);
    }

    /**
     * Replays a transcript (see {@link Conversation#replay(String)}) as written, then its {@code > } lines under
     * every fragmentation; see {@link #replay(Consumer)}.
     *
     * @param transcript the steps, one a line, whose {@code > } lines are fragmented
     * @throws IllegalArgumentException if {@code transcript} is not in the transcript format
     */
    public void replay(String transcript) {
        Objects.requireNonNull(transcript, "transcript");
        replay(client -> client.replay(transcript));
    }

    /**
     * Replays a transcript file (UTF-8); see {@link #replay(String)}.
     *
     * @param transcriptFile the file to replay, whose name failures cite with the line number
     * @throws UncheckedIOException if the file cannot be read
     */
    public void replay(Path transcriptFile) {
        String text = Conversation.readTranscript(transcriptFile);
        String source = transcriptFile.getFileName().toString();
        replay(client -> client.replay(text, source));
    }

    private void proveInMemory(Consumer<Conversation> conversation) {
        TranscriptLog log;
        try (Conversation client = new Conversation(new SessionPeer(
                InMemoryConnection.start(options, factory, timeout), "an in-memory session"))) {
            conversation.accept(client.timeout(timeout));
            log = client.log();
        }
        Candidates.Budget memory = new Candidates.Budget(MEMORY_SINGLE_SPLITS, MEMORY_BYTEWISE, randomRuns,
                MEMORY_SHRINK_RUNS);
        new FragmentationProof(new MemoryRunner(options, factory, timeout), memory, seed)
                .verify(log.sends(), log.shutDown());
    }

    private void proveOverServer(Consumer<Conversation> conversation) {
        SessionTracker tracker = new SessionTracker();
        try (PacedServer server = PacedServer.start(options, tracker.wrap(factory))) {
            prove(conversation, InetAddress.getLoopbackAddress().getHostAddress(), server.port(),
                    Pacings.exact(server, tracker, timeout));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1: " + e.getMessage(), e);
        }
    }

    private void prove(Consumer<Conversation> conversation, String toHost, int toPort, SocketRunner.Pacing pacing) {
        TranscriptLog log;
        pacing.beforeRun();
        try (Conversation client = Conversation.connect(toHost, toPort)) {
            conversation.accept(client.timeout(timeout));
            log = client.log();
        }
        pacing.afterRun();
        Candidates.Budget tcp = new Candidates.Budget(SOCKET_SINGLE_SPLITS, SOCKET_BYTEWISE,
                Math.min(randomRuns, SOCKET_RANDOM_RUNS), SOCKET_SHRINK_RUNS);
        Runner runner = new SocketRunner(toHost, toPort, timeout, pacing);
        new FragmentationProof(runner, tcp, seed).verify(log.sends(), log.shutDown());
    }
}

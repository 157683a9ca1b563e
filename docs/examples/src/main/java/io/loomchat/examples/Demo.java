package io.loomchat.examples;

import io.loomchat.core.ChatOptions;
import io.loomchat.core.SessionFactory;
import io.loomchat.examples.chat.ChatRoom;
import io.loomchat.examples.chat.RedisBackplane;
import io.loomchat.examples.echo.EchoServer;
import io.loomchat.examples.http.HttpServer;
import io.loomchat.examples.pg.PgServer;
import io.loomchat.examples.resp.RespServer;
import io.loomchat.examples.smtp.SmtpSink;
import io.loomchat.micrometer.ChatServerMetrics;
import io.loomchat.server.ChatServer;
import io.loomchat.server.ProxyProtocol;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.net.ssl.SSLContext;

/**
 * Starts the example servers, what {@code ./demo} runs: all six on their fixed ports, or one on a port of choice.
 * Ctrl-C (or SIGTERM) closes them gracefully: no new connections, open ones closed, sessions told.
 */
public final class Demo {
    /**
     * A chat member who stops reading is closed after 5 seconds (the default is 30), so the room waits for it
     * at most that long.
     */
    private static final ChatOptions DEMO_OPTIONS = ChatOptions.defaults().withWriteTimeout(Duration.ofSeconds(5));
    /** Every example server's figures, tagged with its name; the HTTP example serves them at /metrics. */
    private static final PrometheusMeterRegistry METRICS = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** Up to this machine's descriptor limit, so connection-scale benchmarks can open ~19,000 connections. */
    private static final int MAX_CONNECTIONS = 20_000;

    private static final String USAGE = """
            usage: ./demo [NAME] [--port P | --unix PATH] [--bind ADDRESS] [--proxy-protocol] [--redis URI]
                          [--mail-dir DIR] [--quiet] [--help]

            Starts loomchat's example servers in the foreground; Ctrl-C stops them.
              (no NAME)         all six on their fixed ports: chat 7000, echo 7001, http 8080, resp 6380,
                                smtp 2525, pg 5433
              NAME              just one of them: chat, echo, http, resp, smtp or pg
              --port P          the port for NAME (only with NAME); 0 picks a free one; default: its fixed port
              --bind ADDRESS    the local address to listen on; default 127.0.0.1 (0.0.0.0 for every address)
              --unix PATH       NAME listens on a Unix domain socket at PATH instead of a port (only with
                                NAME); PATH must not exist, and is removed when the demo stops
              --proxy-protocol  every connection starts with a PROXY protocol header (version 1 or 2), from
                                loopback only, as HAProxy's send-proxy sends it; the session sees the client
              --redis URI       the chat room spans every chat instance on this Redis (redis://HOST:PORT);
                                default: the room lives in this process alone
              --mail-dir DIR    where the smtp sink writes each message as an .eml file;
                                default: loomchat-mail in the system temporary folder
              --quiet           log warnings only, not every connection (for benchmarks)
              --help            prints this and exits
            Environment: LOOMCHAT_DEMO_JAVA_OPTS adds JVM options (./demo passes it to java).
            """;

    /** One example: its fixed port, what it is, and how a real client talks to it (%h host, %p port). */
    private record Example(String name, int port, String what, String howTo,
                           Function<Options, SessionFactory> factory) {
    }

    private static final List<Example> EXAMPLES = List.of(
            new Example("chat", 7000, "chat room", "nc %h %p",
                    o -> o.redis() == null ? new ChatRoom() : new ChatRoom(RedisBackplane.connect(o.redis()))),
            new Example("echo", 7001, "PyMOTW echo", "printf 'ECHO 5\\nhello' | nc %h %p", o -> EchoServer::new),
            new Example("http", 8080, "HTTP/1.1", "curl http://%h:%p/  |  curl --data-binary hi http://%h:%p/echo"
                    + "  |  curl http://%h:%p/metrics", o -> new HttpServer().withMetrics(METRICS::scrape)),
            new Example("resp", 6380, "Redis protocol", "redis-cli -h %h -p %p set greeting hello",
                    o -> new RespServer()),
            new Example("smtp", 2525, "SMTP sink", "swaks --server %h:%p --to you@example.com --tls",
                    o -> new SmtpSink(SmtpSink.folder(o.mailDir)).offeringStartTls(selfSigned())),
            new Example("pg", 5433, "PostgreSQL", "psql -h %h -p %p -c 'SELECT 1'",
                    o -> new PgServer().offeringTls(selfSigned())));

    /** The command line, parsed. */
    private record Options(String only, Integer port, InetAddress bind, String redis, Path mailDir, boolean quiet,
                           boolean help, Path unix, boolean proxyProtocol) {
    }

    private Demo() {
    }

    /** The SMTP sink's STARTTLS certificate, made at start: self-signed, for localhost and 127.0.0.1. */
    private static SSLContext selfSigned() {
        try {
            return SelfSignedTls.create().context();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs the demo; see {@code ./demo --help}. Exits with 2 on a bad command line, 1 if a port cannot be bound.
     *
     * @throws InterruptedException if the main thread is interrupted while the servers run
     */
    public static void main(String[] args) throws InterruptedException {
        Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("demo: " + e.getMessage() + "\n(./demo --help describes every flag)");
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.print(USAGE);
            return;
        }
        // Before the first logger is made: logback.xml reads it.
        if (options.quiet()) System.setProperty("loomchat.log.level", "WARN");
        List<ChatServer> servers = new ArrayList<>();
        List<AutoCloseable> rooms = new ArrayList<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> closeAll(servers, rooms), "demo-shutdown"));
        try {
            start(options, servers, rooms, System.out);
        } catch (IOException e) {
            System.err.println("demo: " + e.getMessage());
            System.exit(1);
        }
        for (ChatServer server : servers) server.awaitClose();
    }

    private static void start(Options options, List<ChatServer> servers, List<AutoCloseable> rooms, PrintStream out)
            throws IOException {
        String host = options.bind().isAnyLocalAddress() ? "127.0.0.1" : options.bind().getHostAddress();
        StringBuilder banner = new StringBuilder("loomchat demo: Ctrl-C stops it\n");
        banner.append(String.format("  %-5s %-22s %-15s %s%n", "NAME", "ADDRESS", "WHAT", "TRY"));
        for (Example example : EXAMPLES) {
            if (options.only() != null && !options.only().equals(example.name())) continue;
            int port = options.port() != null ? options.port() : example.port();
            ChatServer server;
            SessionFactory factory;
            try {
                factory = example.factory().apply(options);
            } catch (UncheckedIOException e) {
                throw new IOException(example.name() + ": " + e.getCause().getMessage(), e.getCause());
            }
            if (factory instanceof AutoCloseable room) rooms.add(room); // the Redis room, closed after its server
            String where = options.unix() != null ? options.unix().toString()
                    : options.bind().getHostAddress() + ":" + port;
            try {
                ChatServer.Builder builder = ChatServer.builder().bindAddress(options.bind()).port(port).backlog(4096)
                        .options(DEMO_OPTIONS).maxConnections(MAX_CONNECTIONS);
                if (options.unix() != null) builder.unixSocket(options.unix());
                if (options.proxyProtocol()) builder.proxyProtocol(ProxyProtocol.required());
                server = builder.listen(new ConnectionLog(example.name(), factory));
            } catch (IOException e) {
                throw new IOException(example.name() + ": cannot listen on " + where + ": " + e.getMessage(), e);
            }
            servers.add(server);
            ChatServerMetrics.of(server, Tags.of("example", example.name())).bindTo(METRICS);
            String howTo;
            if (options.unix() != null) {
                howTo = example.name().equals("resp") ? "redis-cli -s " + options.unix() + " ping"
                        : "nc -U " + options.unix();
            } else {
                where = options.bind().getHostAddress() + ":" + server.port();
                howTo = example.howTo().replace("%h", host).replace("%p", Integer.toString(server.port()));
            }
            if (options.proxyProtocol()) howTo = "through HAProxy (send-proxy or send-proxy-v2): " + howTo;
            banner.append(String.format("  %-5s %-22s %-15s %s%n", example.name(), where, example.what(), howTo));
            if (example.name().equals("smtp")) {
                banner.append("        messages are written to ").append(options.mailDir()).append('\n');
                banner.append("        STARTTLS is offered, with a self-signed certificate made at start\n");
            }
            if (example.name().equals("pg")) {
                banner.append("        TLS is offered (psql \"sslmode=require\"), with a self-signed certificate made at start\n");
            }
        }
        out.print(banner);
        out.flush();
    }

    /** At Ctrl-C or SIGTERM: closes each server gracefully and says what its close did, then the chat rooms. */
    private static void closeAll(List<ChatServer> servers, List<AutoCloseable> rooms) {
        for (ChatServer server : servers) System.out.println("closed " + server + ": " + server.shutdown());
        for (AutoCloseable room : rooms) {
            try {
                room.close();
            } catch (Exception e) {
                System.err.println("demo: closing the chat room: " + e);
            }
        }
        System.out.println("loomchat demo stopped");
    }

    private static Options parse(String[] args) {
        String only = null;
        Integer port = null;
        String bind = "127.0.0.1";
        String redis = null;
        Path mailDir = Path.of(System.getProperty("java.io.tmpdir"), "loomchat-mail");
        boolean quiet = false;
        Path unix = null;
        boolean proxyProtocol = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--help", "-h" -> {
                    return new Options(null, null, null, null, null, false, true, null, false);
                }
                case "--port" -> port = parsePort(value(args, ++i, "--port"));
                case "--bind" -> bind = value(args, ++i, "--bind");
                case "--redis" -> redis = value(args, ++i, "--redis");
                case "--mail-dir" -> mailDir = Path.of(value(args, ++i, "--mail-dir"));
                case "--quiet" -> quiet = true;
                case "--unix" -> unix = Path.of(value(args, ++i, "--unix"));
                case "--proxy-protocol" -> proxyProtocol = true;
                default -> only = name(only, args[i]);
            }
        }
        if (port != null && only == null) {
            throw new IllegalArgumentException("--port needs a NAME, as in ./demo resp --port 6390");
        }
        if (redis != null && only != null && !only.equals("chat")) {
            throw new IllegalArgumentException("--redis is for the chat room: ./demo chat --redis redis://HOST:PORT");
        }
        if (redis != null && !redis.matches("redis://[^/:]+(:\\d+)?/?")) {
            throw new IllegalArgumentException("--redis: not a redis://HOST:PORT URI: " + redis);
        }
        if (unix != null && only == null) {
            throw new IllegalArgumentException("--unix needs a NAME, as in ./demo echo --unix /tmp/echo.sock");
        }
        if (unix != null && port != null) throw new IllegalArgumentException("--unix and --port exclude each other");
        if (unix != null && proxyProtocol) {
            throw new IllegalArgumentException("--proxy-protocol works on a TCP port, not with --unix");
        }
        return new Options(only, port, address(bind), redis, mailDir, quiet, false, unix, proxyProtocol);
    }

    private static String name(String only, String arg) {
        if (arg.startsWith("-")) throw new IllegalArgumentException("unknown flag: " + arg);
        if (only != null) throw new IllegalArgumentException("one NAME at most: " + only + ", " + arg);
        if (EXAMPLES.stream().noneMatch(e -> e.name().equals(arg))) {
            throw new IllegalArgumentException("unknown NAME: " + arg + " (one of chat, echo, http, resp, smtp, pg)");
        }
        return arg;
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) throw new IllegalArgumentException(flag + " needs a value");
        return args[i];
    }

    private static int parsePort(String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 0 && port <= 65535) return port;
        } catch (NumberFormatException e) {
            // the message below says what is wrong
        }
        throw new IllegalArgumentException("--port out of range: " + text);
    }

    private static InetAddress address(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (IOException e) {
            throw new IllegalArgumentException("--bind: not an address: " + text);
        }
    }
}

package io.loomchat.examples;

import static io.loomchat.examples.PgWire.concat;
import static io.loomchat.examples.PgWire.logIn;
import static io.loomchat.examples.PgWire.message;
import static io.loomchat.examples.PgWire.next;
import static io.loomchat.examples.PgWire.query;
import static io.loomchat.examples.PgWire.untilReady;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.examples.pg.PgServer;
import io.loomchat.server.ChatServer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The PostgreSQL-protocol server, with psql and pgbench (postgresql-client), the JDBC driver, and plain sockets. */
@Timeout(60)
class PgServerTest {
    private ChatServer server;
    private String port;

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws Exception {
        server = Peer.server(new PgServer());
        port = Integer.toString(server.port());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** Runs psql with a connect timeout, no ~/.psqlrc, and the output unaligned, tuples only. */
    private RealClient.Result psql(String stdin, String... arguments) throws Exception {
        RealClient.require("psql", "postgresql-client");
        String[] command = concatArgs(new String[] {"env", "PGCONNECT_TIMEOUT=5", "psql", "-X", "-h", "127.0.0.1",
                "-p", port, "-U", "tester", "-d", "demo"}, arguments);
        return RealClient.run(stdin.getBytes(StandardCharsets.UTF_8), command);
    }

    @Test
    void psqlRunsSelectOne() throws Exception {
        RealClient.Result result = psql("", "-c", "SELECT 1");
        assertEquals(0, result.exitCode(), result.stderr());
        assertEquals(" ?column? \n----------\n        1\n(1 row)\n\n", result.out());
    }

    @Test
    void psqlSessionRunsStatementsInTurnAndShowsErrors() throws Exception {
        String session = """
                CREATE TABLE kv (key text PRIMARY KEY, value text);
                INSERT INTO kv VALUES ('a', 'apple'), ('b', NULL), ('it''s', 'quoted');
                SELECT value FROM kv WHERE key = 'a';
                SELECT value FROM kv WHERE key = 'it''s';
                SELECT * FROM kv;
                SELECT 'text';
                INSERT INTO kv VALUES ('a', 'again');
                UPDATE kv SET value = 'x';
                SELECT * FROM nowhere;
                FLY away;
                SELECT 1; SELECT 2;
                SELECT value FROM kv WHERE key = 'zzz';
                """;
        RealClient.Result result = psql(session, "-A", "-t");
        assertEquals(0, result.exitCode(), result.stderr());
        assertEquals("CREATE TABLE\nINSERT 0 3\napple\nquoted\na|apple\nb|\nit's|quoted\ntext\n1\n2\n",
                result.out());
        assertEquals("""
                ERROR:  duplicate key value violates unique constraint "kv_pkey": (a) already exists
                ERROR:  UPDATE is not supported by this example
                ERROR:  relation "nowhere" does not exist
                ERROR:  syntax error at or near "FLY"
                """, result.stderr());
    }

    @Test
    void psqlShowsTheSqlStateAndNowIsTheServersTime() throws Exception {
        Instant before = Instant.now().minusSeconds(1);
        RealClient.Result now = psql("", "-A", "-t", "-c", "SELECT now()");
        assertEquals(0, now.exitCode(), now.stderr());
        Matcher time = Pattern.compile("(\\d{4}-\\d\\d-\\d\\d) (\\d\\d:\\d\\d:\\d\\d\\.\\d{6})\\+00\n")
                .matcher(now.out());
        assertTrue(time.matches(), now.out());
        Instant at = Instant.parse(time.group(1) + "T" + time.group(2) + "Z");
        assertFalse(at.isBefore(before) || at.isAfter(Instant.now()), at + " is not now");

        RealClient.Result error = psql("", "-v", "VERBOSITY=verbose", "-c", "SELECT 1 +");
        assertEquals(1, error.exitCode());
        assertTrue(error.stderr().startsWith("ERROR:  42601: syntax error"), error.stderr());
    }

    @Test
    void jdbcDriverRunsSimpleQueries() throws Exception {
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/demo?user=tester&preferQueryMode=simple"
                + "&connectTimeout=5&socketTimeout=10&loginTimeout=5";
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement()) {
            assertEquals("16.0", connection.getMetaData().getDatabaseProductVersion());
            try (ResultSet rows = statement.executeQuery("SELECT 1")) {
                assertTrue(rows.next());
                assertEquals(1, rows.getInt(1));
                assertEquals("int4", rows.getMetaData().getColumnTypeName(1));
                assertFalse(rows.next());
            }
            try (ResultSet rows = statement.executeQuery("SELECT 'héllo'")) {
                assertTrue(rows.next());
                assertEquals("héllo", rows.getString(1));
            }
            try (ResultSet rows = statement.executeQuery("SELECT now()")) {
                assertTrue(rows.next());
                Instant now = rows.getTimestamp(1).toInstant();
                assertTrue(Duration.between(now, Instant.now()).abs().getSeconds() < 60, now.toString());
            }
            assertEquals(0, statement.executeUpdate("CREATE TABLE kv (key text PRIMARY KEY, value text)"));
            assertEquals(2, statement.executeUpdate("INSERT INTO kv VALUES ('k1', 'v1'), ('k2', 'v2')"));
            try (ResultSet rows = statement.executeQuery("SELECT key, value FROM kv WHERE key = 'k2'")) {
                assertTrue(rows.next());
                assertEquals("k2", rows.getString("key"));
                assertEquals("v2", rows.getString("value"));
                assertFalse(rows.next());
            }
            SQLException error = assertThrows(SQLException.class, () -> statement.executeQuery("SELEC 1"));
            assertEquals("42601", error.getSQLState());
            error = assertThrows(SQLException.class, () -> statement.executeUpdate("DELETE FROM kv"));
            assertEquals("0A000", error.getSQLState());
            // The connection goes on after errors.
            try (ResultSet rows = statement.executeQuery("SELECT 7")) {
                assertTrue(rows.next());
                assertEquals(7, rows.getInt(1));
            }
        }
    }

    @Test
    void jdbcDriverInExtendedModeGetsFeatureNotSupportedAndGoesOn() throws Exception {
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/demo?user=tester&connectTimeout=5&socketTimeout=10";
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement()) {
            SQLException error = assertThrows(SQLException.class, () -> statement.executeQuery("SELECT 1"));
            assertEquals("0A000", error.getSQLState(), error.getMessage());
            // The server skipped to Sync and said it was ready: the connection stays in step for the next one.
            error = assertThrows(SQLException.class, () -> statement.executeQuery("SELECT 2"));
            assertEquals("0A000", error.getSQLState(), error.getMessage());
        }
    }

    @Test
    void pgbenchRunsTwentyClientsWithoutErrors() throws Exception {
        RealClient.require("pgbench", "postgresql-client");
        Path script = Files.writeString(dir.resolve("select1.sql"), "SELECT 1;\n");
        RealClient.Result result = RealClient.run(new byte[0], "env", "PGCONNECT_TIMEOUT=5", "pgbench", "-n",
                "-f", script.toString(), "-c", "20", "-T", "3", "-h", "127.0.0.1", "-p", port, "-U", "tester", "demo");
        assertEquals(0, result.exitCode(), result.out() + result.stderr());
        assertTrue(result.out().contains("number of clients: 20\n"), result.out());
        assertTrue(result.out().contains("number of failed transactions: 0 (0.000%)\n"), result.out());
        Matcher processed = Pattern.compile("number of transactions actually processed: (\\d+)\n")
                .matcher(result.out());
        assertTrue(processed.find() && Long.parseLong(processed.group(1)) > 0, result.out());
    }

    @Test
    void psqlWithSslModeRequireSwitchesToTlsOnAServerThatOffersIt() throws Exception {
        try (ChatServer tlsServer = Peer.server(new PgServer().offeringTls(SelfSignedTls.create().context()))) {
            RealClient.require("psql", "postgresql-client");
            // sslmode=require: TLS or no connection, and no check of the self-signed certificate.
            RealClient.Result result = RealClient.run(new byte[0], "env", "PGCONNECT_TIMEOUT=5", "psql", "-X", "-A",
                    "-t", "host=127.0.0.1 port=" + tlsServer.port() + " user=tester dbname=demo sslmode=require",
                    "-c", "SELECT 'over tls'", "-c", "\\conninfo");
            assertEquals(0, result.exitCode(), result.stderr());
            assertTrue(result.out().startsWith("over tls\n"), result.out());
            assertTrue(result.out().contains("SSL connection (protocol: TLSv1."), result.out());
        }
        // A server without a context answers 'N', and psql with sslmode=require gives up.
        RealClient.Result refused = RealClient.run(new byte[0], "env", "PGCONNECT_TIMEOUT=5", "psql", "-X",
                "host=127.0.0.1 port=" + port + " user=tester dbname=demo sslmode=require", "-c", "SELECT 1");
        assertTrue(refused.exitCode() != 0, refused.out());
        assertTrue(refused.stderr().contains("server does not support SSL"), refused.stderr());
    }

    @Test
    void sslRequestIsAnsweredNoAndStartupGoesOnInPlain() throws Exception {
        try (Peer peer = Peer.connect(server.port())) {
            peer.send(PgWire.sslRequest());
            assertEquals("N", new String(peer.readExactly(1), StandardCharsets.US_ASCII));
            logIn(peer);
            peer.send(concat(query("SELECT 1; SELECT 'two'; FLY; SELECT 3"), message('X', new byte[0])));
            assertEquals("""
                    T\\x00\\x01?column?\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x17\\x00\\x04\\xff\\xff\\xff\\xff\\x00\\x00
                    D\\x00\\x01\\x00\\x00\\x00\\x011
                    CSELECT 1\\x00
                    T\\x00\\x01?column?\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x19\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\x00
                    D\\x00\\x01\\x00\\x00\\x00\\x03two
                    CSELECT 1\\x00
                    ESERROR\\x00VERROR\\x00C42601\\x00Msyntax error at or near "FLY"\\x00\\x00
                    ZI
                    """, untilReady(peer)); // the statement after the error is not run, as in PostgreSQL
            peer.expectClosed(); // Terminate
        }
    }

    @Test
    void emptyQueryAndExtendedProtocolMessagesGetTheirAnswers() throws Exception {
        try (Peer peer = Peer.connect(server.port())) {
            logIn(peer);
            peer.send(query(" ; "));
            assertEquals("I\nZI\n", untilReady(peer));
            // Parse, Bind, Execute, Sync: one error, the rest skipped up to Sync, then ready.
            peer.send(concat(message('P', "\0SELECT 1\0\0\0".getBytes(StandardCharsets.US_ASCII)),
                    message('B', new byte[6]), message('E', new byte[5]), message('S', new byte[0])));
            String reply = untilReady(peer);
            assertTrue(reply.startsWith("ESERROR\\x00VERROR\\x00C0A000\\x00"), reply);
            assertEquals(2, reply.split("\n").length, reply);
        }
    }

    @Test
    void cancelRequestIsClosedWithoutAReply() throws Exception {
        try (Peer peer = Peer.connect(server.port())) {
            peer.send(PgWire.cancelRequest(1, 42));
            peer.expectClosed();
        }
    }

    @Test
    void oversizedStartupPacketGetsAFatalErrorAndAClose() throws Exception {
        try (CapturedLog log = CapturedLog.of("io.loomchat.limits"); Peer peer = Peer.connect(server.port())) {
            peer.send(ByteBuffer.allocate(8).putInt(PgServer.MAX_STARTUP_PACKET + 1).putInt(3 << 16).array());
            assertEquals("ESFATAL\\x00VFATAL\\x00C54000\\x00Mstartup packet too long: the limit is 10000 bytes"
                    + "\\x00\\x00", next(peer));
            peer.expectClosed();
            assertEquals(1, log.warnings().size(), log.warnings().toString());
            assertTrue(log.warnings().get(0).matches("/127\\.0\\.0\\.1:\\d+: closing: maxFrameSize \\(10000\\) "
                    + "exceeded by /127\\.0\\.0\\.1:\\d+: a frame of 10001 bytes"), log.warnings().toString());
        }
        assertStillServing();
    }

    @Test
    void oversizedOrShortMessagesGetAFatalErrorAndAClose() throws Exception {
        try (CapturedLog log = CapturedLog.of("io.loomchat.limits")) {
            oversizedOrShortMessages();
            assertEquals(2, log.warnings().size(), log.warnings().toString());
            assertTrue(log.warnings().get(0).contains("closing: maxFrameSize (1048576) exceeded"),
                    log.warnings().get(0));
            assertTrue(log.warnings().get(1).contains("closing: badLength broken"), log.warnings().get(1));
        }
        assertStillServing();
    }

    private void oversizedOrShortMessages() throws Exception {
        try (Peer peer = Peer.connect(server.port())) {
            logIn(peer);
            peer.send(ByteBuffer.allocate(5).put((byte) 'Q').putInt(Integer.MAX_VALUE).array());
            assertEquals("ESFATAL\\x00VFATAL\\x00C54000\\x00Mmessage too long: the limit is 1048576 bytes"
                    + "\\x00\\x00", next(peer));
            peer.expectClosed();
        }
        try (Peer peer = Peer.connect(server.port())) {
            logIn(peer);
            peer.send(ByteBuffer.allocate(5).put((byte) 'Q').putInt(3).array()); // a length must count itself
            assertEquals("ESFATAL\\x00VFATAL\\x00C08P01\\x00Minvalid length of message\\x00\\x00", next(peer));
            peer.expectClosed();
        }
        try (Peer peer = Peer.connect(server.port())) {
            logIn(peer);
            peer.send(message('?', new byte[0]));
            assertEquals("ESFATAL\\x00VFATAL\\x00C08P01\\x00Minvalid frontend message type 63\\x00\\x00", next(peer));
            peer.expectClosed();
        }
        try (Peer peer = Peer.connect(server.port())) {
            peer.send(ByteBuffer.allocate(8).putInt(8).putInt(2 << 16).array());
            assertEquals("ESFATAL\\x00VFATAL\\x00C0A000\\x00Munsupported frontend protocol 2.0: this server "
                    + "supports 3.0\\x00\\x00", next(peer));
            peer.expectClosed();
        }
    }

    private void assertStillServing() throws Exception {
        try (Peer peer = Peer.connect(server.port())) {
            logIn(peer);
            peer.send(query("SELECT 1"));
            assertTrue(untilReady(peer).contains("CSELECT 1\\x00\nZI\n"));
        }
    }

    private static String[] concatArgs(String[] first, String[] second) {
        String[] all = java.util.Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        return all;
    }
}

package io.loomchat.examples.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The example's SQL engine on its own: what each statement answers, and the SQLSTATE of each error. */
class TinySqlTest {
    private final TinySql sql = new TinySql(Clock.fixed(Instant.parse("2026-11-22T06:00:00.5Z"), ZoneOffset.UTC));

    /** Runs {@code statement} and returns its messages as type letters and printable text, one a line. */
    private String run(String statement) {
        StringBuilder text = new StringBuilder();
        for (byte[] message : sql.execute(statement).messages()) {
            text.append((char) message[0]);
            for (int i = 5; i < message.length; i++) {
                char c = (char) (message[i] & 0xff);
                if (c >= ' ' && c < 0x7f) text.append(c);
            }
            text.append('\n');
        }
        return text.toString();
    }

    /** Runs {@code statement}, checks that it failed, and returns its SQLSTATE. */
    private String sqlState(String statement) {
        TinySql.Outcome outcome = sql.execute(statement);
        assertTrue(outcome.failed(), statement);
        String error = new String(outcome.messages().get(0), StandardCharsets.UTF_8);
        int code = error.indexOf("\0C", 5) + 2; // after the type byte and the length, which may hold "\0C"
        return error.substring(code, code + 5);
    }

    @Test
    void statementsAreSplitAtSemicolonsOutsideQuotes() {
        assertEquals(List.of("SELECT 'a;b'", "SELECT 'it''s; fine'", "SELECT 2"),
                TinySql.statements(" SELECT 'a;b' ;; SELECT 'it''s; fine';SELECT 2;"));
        assertEquals(List.of(), TinySql.statements(" ;\n; "));
    }

    @Test
    void selectsOfAValueAnswerOneRow() {
        assertEquals("T?column?\nD1\nCSELECT 1\n", run("SELECT 1"));
        assertEquals("T?column?\nDit's\nCSELECT 1\n", run("select 'it''s'"));
        assertEquals("Tnow\nD2026-11-22 06:00:00.500000+00\nCSELECT 1\n", run("SELECT NOW()"));
    }

    @Test
    void keyValueTablesCreateInsertSelectAndDrop() {
        assertEquals("CCREATE TABLE\n", run("CREATE TABLE Kv (k TEXT PRIMARY KEY, v text)"));
        assertEquals("CINSERT 0 2\n", run("INSERT INTO kv (k, v) VALUES ('b', 'beta') , ('a', NULL)"));
        assertEquals("Tkv\nDa\nDbbeta\nCSELECT 2\n", run("SELECT * FROM kv"));
        assertEquals("Tv\nDbeta\nCSELECT 1\n", run("SELECT v FROM kv WHERE k = 'b'"));
        assertEquals("Tv\nCSELECT 0\n", run("SELECT v FROM kv WHERE k = 'zzz'"));
        assertEquals("CCREATE TABLE\n", run("CREATE TABLE IF NOT EXISTS kv (k text, v text)"));
        assertEquals("CDROP TABLE\n", run("DROP TABLE kv"));
        assertEquals("42P01", sqlState("SELECT * FROM kv"));
    }

    @Test
    void aDuplicateKeyFailsTheWholeInsert() {
        run("CREATE TABLE kv (k text, v text)");
        run("INSERT INTO kv VALUES ('a', '1')");
        assertEquals("23505", sqlState("INSERT INTO kv VALUES ('b', '2'), ('a', '3')"));
        assertEquals("23505", sqlState("INSERT INTO kv VALUES ('c', '2'), ('c', '3')"));
        assertEquals("Tk\nDa\nCSELECT 1\n", run("SELECT k FROM kv"));
    }

    @Test
    void errorsCarryPostgresqlsSqlStates() {
        run("CREATE TABLE kv (k text, v text)");
        assertEquals("42P07", sqlState("CREATE TABLE kv (k text, v text)"));
        assertEquals("42701", sqlState("CREATE TABLE t (k text, k text)"));
        assertEquals("42703", sqlState("SELECT nope FROM kv"));
        assertEquals("42703", sqlState("SELECT * FROM kv WHERE nope = 'a'"));
        assertEquals("0A000", sqlState("SELECT * FROM kv WHERE v = 'a'"));
        assertEquals("0A000", sqlState("INSERT INTO kv (v, k) VALUES ('a', 'b')"));
        assertEquals("42601", sqlState("INSERT INTO kv VALUES ('a', 'b'),"));
        assertEquals("42601", sqlState("INSERT INTO kv VALUES ('a', 'b') junk"));
        assertEquals("42601", sqlState("INSERT INTO kv VALUES (1, 2)"));
        assertEquals("42601", sqlState("SELECT 1 +"));
        assertEquals("42601", sqlState("FLY away"));
        assertEquals("0A000", sqlState("BEGIN"));
        assertEquals("0A000", sqlState("DELETE FROM kv"));
        assertFalse(sql.execute("SET extra_float_digits = 3").failed());
    }
}

package io.loomchat.examples.pg;

import static io.loomchat.examples.pg.PgMessages.Column;
import static io.loomchat.examples.pg.PgMessages.commandComplete;
import static io.loomchat.examples.pg.PgMessages.dataRow;
import static io.loomchat.examples.pg.PgMessages.rowDescription;

import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The handful of statements {@link PgServer} runs, each answered with PostgreSQL's messages: {@code SELECT} of an
 * integer, a string or {@code now()}, and key/value tables of one shape, two text columns of which the first is
 * the key ({@code CREATE TABLE kv (key text PRIMARY KEY, value text)}, {@code INSERT INTO kv VALUES ('a', 'b')},
 * {@code SELECT * FROM kv WHERE key = 'a'}, {@code DROP TABLE kv}); {@code SET} of a parameter is accepted and
 * ignored, as drivers send some as they connect. Anything else is an error with PostgreSQL's
 * SQLSTATE: 42601 for what it cannot parse, 0A000 for statements it knows but does not run.
 *
 * <p>Tables are shared by every connection and live in memory. Each statement is atomic on its own but there are
 * no transactions; an INSERT of several rows that meets a duplicate key takes back the rows it added.
 */
final class TinySql {
    private static final String STRING = "'((?:[^']|'')*)'";
    private static final Pattern SELECT_INTEGER = Pattern.compile("(?i)select\\s+(-?[0-9]{1,9})");
    private static final Pattern SELECT_STRING = Pattern.compile("(?is)select\\s+" + STRING);
    private static final Pattern SELECT_NOW = Pattern.compile("(?i)select\\s+(now\\(\\s*\\)|current_timestamp)");
    private static final Pattern CREATE = Pattern.compile("(?is)create\\s+table\\s+(if\\s+not\\s+exists\\s+)?(\\w+)"
            + "\\s*\\(\\s*(\\w+)\\s+text(\\s+primary\\s+key)?\\s*,\\s*(\\w+)\\s+text\\s*\\)");
    private static final Pattern DROP = Pattern.compile("(?i)drop\\s+table\\s+(if\\s+exists\\s+)?(\\w+)");
    private static final Pattern INSERT = Pattern.compile("(?is)insert\\s+into\\s+(\\w+)\\s*"
            + "(?:\\(\\s*(\\w+)\\s*,\\s*(\\w+)\\s*\\)\\s*)?values\\s*(.+)");
    private static final Pattern ROW = Pattern.compile("(?is)\\(\\s*" + STRING + "\\s*,\\s*(?:" + STRING
            + "|(null))\\s*\\)\\s*(,\\s*)?");
    /** SET of a run-time parameter, which drivers send as they connect (the JDBC driver's extra_float_digits). */
    private static final Pattern SET = Pattern.compile("(?is)set\\s+(session\\s+)?\\w+\\s*(=|to)\\s*.+");
    private static final Pattern SELECT_FROM = Pattern.compile("(?is)select\\s+(\\*|\\w+(?:\\s*,\\s*\\w+)*)\\s+from"
            + "\\s+(\\w+)(?:\\s+where\\s+(\\w+)\\s*=\\s*" + STRING + ")?");
    /** Statements PostgreSQL has and this example does not: 0A000 rather than a syntax error. */
    private static final Set<String> NOT_SUPPORTED = Set.of("alter", "analyze", "begin", "call", "close", "commit",
            "copy", "deallocate", "declare", "delete", "discard", "do", "explain", "fetch", "grant", "listen",
            "lock", "merge", "notify", "prepare", "reindex", "reset", "revoke", "rollback", "savepoint", "show",
            "start", "truncate", "update", "vacuum", "values", "with");
    private static final DateTimeFormatter TIMESTAMPTZ = DateTimeFormatter.ofPattern(
            "yyyy-MM-dd HH:mm:ss.SSSSSSx", Locale.ROOT);

    /** A table: its columns' names and its rows, sorted by key. */
    private record Table(String key, String value, NavigableMap<String, Row> rows) {
    }

    /** A row's value column, which may be null. */
    private record Row(String value) {
    }

    /** What a statement sends back, and whether it failed (which ends a query of several statements). */
    record Outcome(List<byte[]> messages, boolean failed) {
        static Outcome of(byte[]... messages) {
            return new Outcome(List.of(messages), false);
        }

        static Outcome error(String sqlState, String text) {
            return new Outcome(List.of(PgMessages.error(sqlState, text)), true);
        }
    }

    private final ConcurrentMap<String, Table> tables = new ConcurrentHashMap<>();
    private final Clock clock;

    TinySql(Clock clock) {
        this.clock = clock;
    }

    /** Splits a query string into its statements, at semicolons outside quotes; empty statements are dropped. */
    static List<String> statements(String query) {
        List<String> statements = new ArrayList<>();
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i <= query.length(); i++) {
            char c = i < query.length() ? query.charAt(i) : ';';
            if (c == '\'') quoted = !quoted; // '' inside a string flips twice
            if (c == ';' && !quoted || i == query.length()) {
                String statement = query.substring(start, Math.min(i, query.length())).strip();
                if (!statement.isEmpty()) statements.add(statement);
                start = i + 1;
            }
        }
        return statements;
    }

    /** Runs one statement (without its semicolon) and returns the messages that answer it. */
    Outcome execute(String statement) {
        Matcher m;
        if ((m = SELECT_INTEGER.matcher(statement)).matches()) {
            return single(new Column("?column?", PgMessages.INT4), Integer.toString(Integer.parseInt(m.group(1))));
        }
        if ((m = SELECT_STRING.matcher(statement)).matches()) {
            return single(new Column("?column?", PgMessages.TEXT), unquote(m.group(1)));
        }
        if ((m = SELECT_NOW.matcher(statement)).matches()) {
            String name = m.group(1).toLowerCase(Locale.ROOT).startsWith("now") ? "now" : "current_timestamp";
            return single(new Column(name, PgMessages.TIMESTAMPTZ),
                    TIMESTAMPTZ.format(clock.instant().atOffset(ZoneOffset.UTC)));
        }
        if (SET.matcher(statement).matches()) return Outcome.of(commandComplete("SET")); // accepted, ignored
        if ((m = CREATE.matcher(statement)).matches()) return create(m);
        if ((m = DROP.matcher(statement)).matches()) return drop(m);
        if ((m = INSERT.matcher(statement)).matches()) return insert(m);
        if ((m = SELECT_FROM.matcher(statement)).matches()) return select(m);
        String word = statement.split("[\\s(]", 2)[0];
        String first = word.toLowerCase(Locale.ROOT);
        if (NOT_SUPPORTED.contains(first)) {
            return Outcome.error(PgMessages.FEATURE_NOT_SUPPORTED, first.toUpperCase(Locale.ROOT)
                    + " is not supported by this example");
        }
        if (Set.of("select", "create", "insert", "drop").contains(first)) {
            return Outcome.error(PgMessages.SYNTAX_ERROR, "syntax error: this example runs SELECT 1, SELECT 'text', "
                    + "SELECT now(), and CREATE TABLE, INSERT, SELECT ... WHERE key = '...' and DROP TABLE on "
                    + "tables of two text columns");
        }
        return Outcome.error(PgMessages.SYNTAX_ERROR, "syntax error at or near \"" + word + "\"");
    }

    private static Outcome single(Column column, String value) {
        return Outcome.of(rowDescription(List.of(column)), dataRow(List.of(value)), commandComplete("SELECT 1"));
    }

    private Outcome create(Matcher m) {
        String name = identifier(m.group(2));
        String key = identifier(m.group(3));
        String value = identifier(m.group(5));
        if (key.equals(value)) {
            return Outcome.error(PgMessages.DUPLICATE_COLUMN, "column \"" + key + "\" specified more than once");
        }
        Table created = new Table(key, value, new ConcurrentSkipListMap<>());
        if (tables.putIfAbsent(name, created) != null && m.group(1) == null) {
            return Outcome.error(PgMessages.DUPLICATE_TABLE, "relation \"" + name + "\" already exists");
        }
        return Outcome.of(commandComplete("CREATE TABLE"));
    }

    private Outcome drop(Matcher m) {
        String name = identifier(m.group(2));
        if (tables.remove(name) == null && m.group(1) == null) return undefinedTable(name);
        return Outcome.of(commandComplete("DROP TABLE"));
    }

    private Outcome insert(Matcher m) {
        String name = identifier(m.group(1));
        Table table = tables.get(name);
        if (table == null) return undefinedTable(name);
        if (m.group(2) != null && !(identifier(m.group(2)).equals(table.key())
                && identifier(m.group(3)).equals(table.value()))) {
            return Outcome.error(PgMessages.FEATURE_NOT_SUPPORTED, "INSERT names the columns in the table's order: ("
                    + table.key() + ", " + table.value() + ")");
        }
        Map<String, Row> rows = new java.util.LinkedHashMap<>();
        String values = m.group(4);
        Matcher row = ROW.matcher(values);
        int at = 0;
        for (boolean more = true; more; more = row.group(4) != null) {
            if (!row.find(at) || row.start() != at) {
                return Outcome.error(PgMessages.SYNTAX_ERROR, "syntax error in VALUES: this example takes "
                        + "('key', 'value') rows, the value a string or NULL");
            }
            String key = unquote(row.group(1));
            if (rows.putIfAbsent(key, new Row(row.group(2) == null ? null : unquote(row.group(2)))) != null) {
                return duplicateKey(name, key);
            }
            at = row.end();
        }
        if (at != values.length()) {
            return Outcome.error(PgMessages.SYNTAX_ERROR, "syntax error at or near \""
                    + values.substring(at).split("\\s", 2)[0] + "\"");
        }
        List<String> added = new ArrayList<>();
        for (Map.Entry<String, Row> entry : rows.entrySet()) {
            if (table.rows().putIfAbsent(entry.getKey(), entry.getValue()) != null) {
                for (String key : added) table.rows().remove(key, rows.get(key));
                return duplicateKey(name, entry.getKey());
            }
            added.add(entry.getKey());
        }
        return Outcome.of(commandComplete("INSERT 0 " + rows.size()));
    }

    private Outcome select(Matcher m) {
        String name = identifier(m.group(2));
        Table table = tables.get(name);
        if (table == null) return undefinedTable(name);
        List<String> names = m.group(1).equals("*") ? List.of(table.key(), table.value())
                : Arrays.stream(m.group(1).split(",")).map(TinySql::identifier).toList();
        for (String column : names) {
            if (!column.equals(table.key()) && !column.equals(table.value())) return undefinedColumn(column);
        }
        NavigableMap<String, Row> rows = table.rows();
        if (m.group(3) != null) {
            String where = identifier(m.group(3));
            if (where.equals(table.value())) {
                return Outcome.error(PgMessages.FEATURE_NOT_SUPPORTED, "this example looks rows up by key only: "
                        + "WHERE " + table.key() + " = '...'");
            }
            if (!where.equals(table.key())) return undefinedColumn(where);
            String key = unquote(m.group(4));
            Row row = rows.get(key);
            rows = new java.util.TreeMap<>(row == null ? Map.of() : Map.of(key, row));
        }
        List<byte[]> messages = new ArrayList<>();
        messages.add(rowDescription(names.stream().map(n -> new Column(n, PgMessages.TEXT)).toList()));
        int count = 0;
        for (Map.Entry<String, Row> entry : rows.entrySet()) {
            List<String> values = new ArrayList<>(names.size());
            for (String column : names) {
                values.add(column.equals(table.key()) ? entry.getKey() : entry.getValue().value());
            }
            messages.add(dataRow(values));
            count++;
        }
        messages.add(commandComplete("SELECT " + count));
        return new Outcome(messages, false);
    }

    private static Outcome undefinedTable(String name) {
        return Outcome.error(PgMessages.UNDEFINED_TABLE, "relation \"" + name + "\" does not exist");
    }

    private static Outcome undefinedColumn(String name) {
        return Outcome.error(PgMessages.UNDEFINED_COLUMN, "column \"" + name + "\" does not exist");
    }

    private static Outcome duplicateKey(String table, String key) {
        return Outcome.error(PgMessages.UNIQUE_VIOLATION, "duplicate key value violates unique constraint \""
                + table + "_pkey\": (" + key + ") already exists");
    }

    /** Folds an unquoted identifier to lower case, as PostgreSQL does. */
    private static String identifier(String word) {
        return word.strip().toLowerCase(Locale.ROOT);
    }

    private static String unquote(String quoted) {
        return quoted.replace("''", "'");
    }
}

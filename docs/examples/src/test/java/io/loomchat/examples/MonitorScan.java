package io.loomchat.examples;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds Java monitors in a source file: the {@code synchronized} keyword (a modifier or a block) and calls to
 * {@code Object.wait}, {@code notify} and {@code notifyAll}, outside comments and string, text block and char
 * literals. On JDK 21, blocking inside a monitor pins the virtual thread's carrier; from JDK 24 on it does not, so
 * a test run on a newer JDK cannot see the difference, and this scan stands in for it.
 *
 * <p>A source scan, not a parser: {@code wait(...)} is reported with any arguments (an overload such as
 * {@code wait(Duration)} is reported too, but a declaration is not); {@code notify()} and {@code notifyAll()} only
 * with none, as no other method can have those names without parameters. Unicode escapes are not decoded.
 */
final class MonitorScan {
    private static final Pattern SYNCHRONIZED = Pattern.compile("(?<![\\w$])synchronized(?![\\w$])");
    private static final Pattern WAIT = Pattern.compile("(?<![\\w$])wait\\s*\\(");
    private static final Pattern NOTIFY = Pattern.compile("(?<![\\w$])(notify|notifyAll)\\s*\\(\\s*\\)");
    private static final Pattern METHOD_REFERENCE = Pattern.compile("::\\s*(wait|notify|notifyAll)(?![\\w$])");
    /** Keywords after which a bare {@code wait(} starts a statement (a call); after any other word it is declared. */
    private static final Set<String> BEFORE_STATEMENT = Set.of("else", "do");

    private MonitorScan() {
    }

    /**
     * Returns one line per monitor found in {@code source}, as {@code "LINE: WHAT: SOURCE LINE"} (LINE from 1,
     * the source line stripped), in the order they appear.
     */
    static List<String> find(String source) {
        String code = code(source);
        List<Use> uses = new ArrayList<>();
        for (Matcher m = SYNCHRONIZED.matcher(code); m.find(); ) uses.add(new Use(m.start(), "synchronized"));
        for (Matcher m = WAIT.matcher(code); m.find(); ) {
            if (isCall(code, m.start())) uses.add(new Use(m.start(), "wait("));
        }
        for (Matcher m = NOTIFY.matcher(code); m.find(); ) {
            if (isCall(code, m.start())) uses.add(new Use(m.start(), m.group(1) + "()"));
        }
        for (Matcher m = METHOD_REFERENCE.matcher(code); m.find(); ) uses.add(new Use(m.start(), "::" + m.group(1)));
        uses.sort(Comparator.comparingInt(Use::index));
        String[] lines = source.split("\n", -1);
        List<String> found = new ArrayList<>();
        for (Use use : uses) {
            int line = lineOf(code, use.index());
            found.add(line + ": " + use.what() + ": " + lines[line - 1].strip());
        }
        return found;
    }

    /** A monitor found: where in the source, and which. */
    private record Use(int index, String what) {
    }

    /** Whether the name at {@code start} is called: after a dot, an operator or punctuation, not a type. */
    private static boolean isCall(String code, int start) {
        int i = start - 1;
        while (i >= 0 && Character.isWhitespace(code.charAt(i))) i--;
        if (i < 0 || !isWordChar(code.charAt(i))) return true;
        int end = i + 1;
        while (i >= 0 && isWordChar(code.charAt(i))) i--;
        return BEFORE_STATEMENT.contains(code.substring(i + 1, end));
    }

    private static boolean isWordChar(char c) {
        return Character.isJavaIdentifierPart(c);
    }

    private static int lineOf(String code, int index) {
        int line = 1;
        for (int i = 0; i < index; i++) if (code.charAt(i) == '\n') line++;
        return line;
    }

    /**
     * Returns {@code source} with every comment and every string, text block and char literal blanked out (each
     * character a space, each line break kept), so that indexes and line numbers stay those of the source.
     */
    static String code(String source) {
        StringBuilder out = new StringBuilder(source.length());
        int n = source.length();
        int i = 0;
        while (i < n) {
            int end;
            if (source.startsWith("//", i)) {
                end = source.indexOf('\n', i);
                if (end < 0) end = n;
            } else if (source.startsWith("/*", i)) {
                end = source.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
            } else if (source.startsWith("\"\"\"", i)) {
                end = literalEnd(source, i + 3, "\"\"\"", false);
            } else if (source.charAt(i) == '"' || source.charAt(i) == '\'') {
                end = literalEnd(source, i + 1, String.valueOf(source.charAt(i)), true);
            } else {
                out.append(source.charAt(i++));
                continue;
            }
            for (; i < end; i++) out.append(source.charAt(i) == '\n' ? '\n' : ' ');
        }
        return out.toString();
    }

    /** The index after the literal's closing {@code quote}, searched from {@code from}, skipping escapes. */
    private static int literalEnd(String source, int from, String quote, boolean endsAtLineBreak) {
        int i = from;
        while (i < source.length()) {
            char c = source.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (source.startsWith(quote, i)) {
                return i + quote.length();
            } else if (c == '\n' && endsAtLineBreak) {
                return i;  // not Java: leave the rest of the file to the scan
            } else {
                i++;
            }
        }
        return source.length();
    }
}

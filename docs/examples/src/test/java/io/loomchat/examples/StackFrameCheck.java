package io.loomchat.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks the stack traces the guide quotes against the sources: every frame of loomchat's own code
 * ({@code at io.loomchat.pkg.Type.method(Type.java:123)}) names a line of that file that lies inside that method,
 * so a quoted trace cannot go stale when code moves. JDK frames are not checked: they depend on the JDK.
 */
final class StackFrameCheck {
    private static final Pattern FRAME = Pattern.compile(
            "at (io\\.loomchat\\.[\\w.]+)\\.(\\w+)(?:\\$[\\w$]+)?\\.([\\w$<>]+)\\((\\w+\\.java):(\\d+)\\)");
    /**
     * A method or constructor declaration: modifiers, a type, the name, its parameters (the line ends inside them,
     * or the body opens on it); not a call, which ends with a semicolon.
     */
    private static final Pattern DECLARATION = Pattern.compile(
            "^\\s*(?:@\\w+(?:\\([^)]*\\))?\\s+)*(?:(?:public|protected|private|static|final|default|abstract)\\s+)*"
                    + "(?:<[^>]+>\\s+)?(?:[\\w.]+(?:<[^()]*>)?(?:\\[\\])*\\s+)?(\\w+)\\s*\\("
                    + "(?:[^;]*$|[^)]*\\)\\s*(?:throws\\s+[\\w.,\\s]+)?\\{.*)");
    private static final List<String> NOT_NAMES = List.of("if", "for", "while", "switch", "catch", "synchronized",
            "return", "new", "try", "else");

    private final Path root;
    private int frames;

    StackFrameCheck(Path root) {
        this.root = root;
    }

    /** {@return how many frames the checks so far looked at} */
    int frames() {
        return frames;
    }

    /** Returns what is wrong with the frames quoted in {@code page}, one line each. */
    List<String> check(Path page) throws IOException {
        List<String> problems = new ArrayList<>();
        List<String> lines = Files.readAllLines(page);
        for (int i = 0; i < lines.size(); i++) {
            Matcher frame = FRAME.matcher(lines.get(i));
            if (!frame.find()) continue;
            frames++;
            String where = root.relativize(page) + ":" + (i + 1) + ": ";
            String problem = checkFrame(frame.group(1), frame.group(2), frame.group(3), frame.group(4),
                    Integer.parseInt(frame.group(5)));
            if (problem != null) problems.add(where + problem);
        }
        return problems;
    }

    private String checkFrame(String pkg, String type, String method, String file, int line) throws IOException {
        Path source = find(pkg.replace('.', '/') + "/" + file);
        if (source == null) return "no source " + pkg + "." + file;
        List<String> lines = Files.readAllLines(source);
        if (line < 1 || line > lines.size()) return file + " has no line " + line;
        if (lines.get(line - 1).isBlank()) return file + ":" + line + " is blank";
        String expected = expectedName(type, method);
        if (expected == null) return null;  // a lambda in a field initializer: no enclosing method to name
        for (int n = line; n >= 1; n--) {
            Matcher declaration = DECLARATION.matcher(lines.get(n - 1));
            if (declaration.find() && !NOT_NAMES.contains(declaration.group(1))) {
                String found = declaration.group(1);
                return found.equals(expected) ? null
                        : file + ":" + line + " is in " + found + " (line " + n + "), not in " + expected;
            }
        }
        return file + ":" + line + " is in no method";
    }

    /** The name a frame's method has in the source: a lambda's enclosing method, a constructor's type. */
    private static String expectedName(String type, String method) {
        if (method.equals("<init>")) return type;
        if (method.startsWith("lambda$")) {
            String enclosing = method.split("\\$")[1];
            return enclosing.equals("static") || enclosing.equals("new") ? null : enclosing;
        }
        return method;
    }

    private Path find(String relative) throws IOException {
        try (Stream<Path> modules = Files.walk(root, 3)) {
            for (Path dir : modules.filter(d -> d.endsWith("src")).toList()) {
                for (String set : List.of("main/java", "test/java")) {
                    Path candidate = dir.resolve(set).resolve(relative);
                    if (Files.isRegularFile(candidate)) return candidate;
                }
            }
        }
        return null;
    }
}

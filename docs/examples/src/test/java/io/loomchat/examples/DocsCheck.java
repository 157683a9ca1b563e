package io.loomchat.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The guide's checks on one Markdown page: quoted snippets must be in their source file, and relative links must
 * lead to an existing file and heading. Plain GitHub Markdown: fenced code blocks, ATX headings ({@code # ...}),
 * inline links and reference definitions.
 *
 * <p>A fenced block right after {@code <!-- from PATH -->} (PATH from the repository root) must appear in that file
 * as a run of consecutive lines, each compared without its leading and trailing spaces. A {@code java} block must
 * have such a marker, or {@code <!-- not code -->} for pseudo-code.
 */
final class DocsCheck {
    private static final Pattern FENCE = Pattern.compile("^\\s*(`{3,}|~{3,})\\s*([^`\\s]*).*$");
    private static final Pattern FROM = Pattern.compile("^\\s*<!--\\s*from\\s+(\\S+)\\s*-->\\s*$");
    private static final Pattern NOT_CODE = Pattern.compile("^\\s*<!--\\s*not code\\s*-->\\s*$");
    private static final Pattern HEADING = Pattern.compile("^ {0,3}#{1,6}\\s+(.*?)(\\s+#+)?\\s*$");
    private static final Pattern HTML_ANCHOR = Pattern.compile("<a\\s+(?:id|name)=\"([^\"]+)\"");
    /** {@code [text](target "title")}; the text may hold one level of brackets. */
    private static final Pattern INLINE_LINK = Pattern.compile(
            "\\[(?:[^\\[\\]]|\\[[^\\]]*\\])*\\]\\(\\s*<?([^)\\s>]*)>?(?:\\s+(?:\"[^\"]*\"|'[^']*'))?\\s*\\)");
    private static final Pattern REFERENCE = Pattern.compile("^ {0,3}\\[[^\\]]+\\]:\\s*<?([^\\s>]+)>?.*$");
    private static final Pattern CODE_SPAN = Pattern.compile("(`+)(.+?)\\1");
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");

    private final Path root;
    /** Pages that links may name although they do not exist (yet); see {@code DocsTest}. */
    private final Set<String> notYetMerged;

    DocsCheck(Path root, Set<String> notYetMerged) {
        this.root = root;
        this.notYetMerged = notYetMerged;
    }

    /** A fenced code block: its language, the marker line before it (or null), its lines, its 1-based line. */
    record Block(String language, String marker, List<String> lines, int line) {
    }

    /** A relative link: where it points (path and anchor, either may be empty) and its 1-based line. */
    record Link(String path, String anchor, int line) {
    }

    /** Returns the fenced code blocks of a page, in order; an unclosed fence runs to the end of the page. */
    static List<Block> blocks(List<String> lines) {
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher open = FENCE.matcher(lines.get(i));
            if (!open.matches()) continue;
            String fence = open.group(1);
            String marker = null;
            for (int j = i - 1; j >= 0 && marker == null; j--) {
                if (!lines.get(j).isBlank()) marker = lines.get(j).strip();
            }
            int start = i;
            List<String> body = new ArrayList<>();
            for (i++; i < lines.size() && !closes(lines.get(i), fence); i++) body.add(lines.get(i));
            blocks.add(new Block(open.group(2), marker, body, start + 1));
        }
        return blocks;
    }

    private static boolean closes(String line, String fence) {
        String s = line.strip();
        return s.length() >= fence.length() && s.chars().allMatch(c -> c == fence.charAt(0));
    }

    /** Returns the page's lines outside fenced code blocks, blanked inside them (so line numbers stay). */
    static List<String> prose(List<String> lines) {
        List<String> prose = new ArrayList<>(lines);
        for (int i = 0; i < lines.size(); i++) {
            Matcher open = FENCE.matcher(lines.get(i));
            if (!open.matches()) continue;
            prose.set(i, "");
            for (i++; i < lines.size() && !closes(lines.get(i), open.group(1)); i++) prose.set(i, "");
            if (i < lines.size()) prose.set(i, "");
        }
        return prose;
    }

    /** Returns what is wrong with the page's snippets, one line each, naming the page and line. */
    List<String> snippetProblems(String page, List<String> lines) {
        List<String> problems = new ArrayList<>();
        List<String> prose = prose(lines);
        for (int i = 0; i < prose.size(); i++) {
            if (!FROM.matcher(prose.get(i)).matches()) continue;
            int next = i + 1;
            while (next < lines.size() && lines.get(next).isBlank()) next++;
            if (next == lines.size() || !FENCE.matcher(lines.get(next)).matches()) {
                problems.add(page + ":" + (i + 1) + ": a <!-- from PATH --> marker with no code block after it");
            }
        }
        for (Block block : blocks(lines)) {
            Matcher from = block.marker() == null ? null : FROM.matcher(block.marker());
            if (from != null && from.matches()) {
                String problem = quoteProblem(block.lines(), from.group(1));
                if (problem != null) problems.add(page + ":" + block.line() + ": " + problem);
            } else if (block.language().equals("java")
                    && (block.marker() == null || !NOT_CODE.matcher(block.marker()).matches())) {
                problems.add(page + ":" + block.line() + ": a ```java block needs <!-- from PATH --> (or, for"
                        + " pseudo-code, <!-- not code -->) on the line before it");
            }
        }
        return problems;
    }

    /** Returns why {@code snippet} is not a run of lines of the file at {@code path}, or null if it is. */
    String quoteProblem(List<String> snippet, String path) {
        Path file = root.resolve(path).normalize();
        if (!file.startsWith(root) || !Files.isRegularFile(file)) return "no such file: " + path;
        if (snippet.isEmpty()) return "an empty snippet from " + path;
        List<String> source = stripped(read(file));
        List<String> quoted = stripped(snippet);
        int bestStart = 0;
        int bestLength = -1;
        for (int start = 0; start < source.size(); start++) {
            int n = 0;
            while (n < quoted.size() && start + n < source.size() && quoted.get(n).equals(source.get(start + n))) n++;
            if (n == quoted.size()) return null;
            if (n > bestLength) {
                bestLength = n;
                bestStart = start;
            }
        }
        if (bestLength <= 0) return "differs from " + path + ": its first line is not there: `" + quoted.get(0) + "`";
        int next = bestStart + bestLength;
        return "differs from " + path + ": its first " + bestLength + " lines are lines " + (bestStart + 1) + "-"
                + next + " there, then the snippet has `" + quoted.get(bestLength) + "` where the file "
                + (next < source.size() ? "has `" + source.get(next) + "`" : "ends");
    }

    private static List<String> stripped(List<String> lines) {
        return lines.stream().map(String::strip).toList();
    }

    /** Returns the relative links of a page (not http:, mailto: and the like), outside code. */
    static List<Link> links(List<String> lines) {
        List<Link> links = new ArrayList<>();
        List<String> prose = prose(lines);
        for (int i = 0; i < prose.size(); i++) {
            String text = CODE_SPAN.matcher(prose.get(i)).replaceAll(" ").replaceAll("<!--.*?-->", " ");
            List<String> targets = new ArrayList<>();
            Matcher inline = INLINE_LINK.matcher(text);
            while (inline.find()) targets.add(inline.group(1));
            Matcher reference = REFERENCE.matcher(text);
            if (reference.matches()) targets.add(reference.group(1));
            for (String target : targets) {
                if (target.isEmpty() || SCHEME.matcher(target).find()) continue;
                int hash = target.indexOf('#');
                String path = hash < 0 ? target : target.substring(0, hash);
                String anchor = hash < 0 ? "" : target.substring(hash + 1);
                links.add(new Link(URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8), anchor,
                        i + 1));
            }
        }
        return links;
    }

    /** Returns what is wrong with the links of the page at {@code page}, one line each. */
    List<String> linkProblems(Path page) {
        List<String> problems = new ArrayList<>();
        String name = root.relativize(page).toString().replace('\\', '/');
        for (Link link : links(read(page))) {
            Path target = link.path().isEmpty() ? page : page.getParent().resolve(link.path()).normalize();
            String where = name + ":" + link.line() + ": ";
            String targetName = root.relativize(target).toString().replace('\\', '/');
            if (!target.startsWith(root)) {
                problems.add(where + "the link to " + link.path() + " leaves the repository");
            } else if (!Files.exists(target)) {
                if (!notYetMerged.contains(targetName)) problems.add(where + "no such file: " + link.path());
            } else if (!link.anchor().isEmpty() && targetName.endsWith(".md")
                    && !anchors(read(target)).contains(link.anchor())) {
                problems.add(where + "no heading in " + targetName + " has the anchor #" + link.anchor()
                        + "; its anchors: " + anchors(read(target)));
            }
        }
        return problems;
    }

    /** Returns the anchors of a page: GitHub's slug of each heading, and {@code <a id>}/{@code <a name>}. */
    static Set<String> anchors(List<String> lines) {
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        for (String line : prose(lines)) {
            Matcher heading = HEADING.matcher(line);
            if (heading.matches()) {
                String slug = slug(heading.group(1));
                int n = seen.merge(slug, 1, Integer::sum);
                anchors.add(n == 1 ? slug : slug + "-" + (n - 1)); // GitHub: the second "x" is "x-1"
            }
            Matcher html = HTML_ANCHOR.matcher(line);
            while (html.find()) anchors.add(html.group(1));
        }
        return anchors;
    }

    /**
     * Returns GitHub's anchor for a heading: its text as rendered (code kept, links and emphasis markup
     * dropped), lower case, without punctuation other than {@code -} and {@code _}, spaces turned into {@code -}.
     */
    static String slug(String heading) {
        StringBuilder text = new StringBuilder();
        Matcher code = CODE_SPAN.matcher(heading);
        int at = 0;
        while (code.find()) {
            text.append(unmark(heading.substring(at, code.start()))).append(code.group(2).strip());
            at = code.end();
        }
        text.append(unmark(heading.substring(at)));
        StringBuilder slug = new StringBuilder();
        text.toString().toLowerCase(Locale.ROOT).codePoints().forEach(c -> {
            if (c == ' ') slug.append('-');
            else if (Character.isLetterOrDigit(c) || c == '-' || c == '_') slug.appendCodePoint(c);
        });
        return slug.toString();
    }

    /** Drops Markdown markup from heading text outside code: links keep their text; HTML and emphasis go. */
    private static String unmark(String text) {
        return text.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1")
                .replaceAll("<[^>]+>", "")
                .replaceAll("(?<![\\p{L}\\p{N}])[*_]+|[*_]+(?![\\p{L}\\p{N}])", "")
                .replace("*", "");
    }

    static List<String> read(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

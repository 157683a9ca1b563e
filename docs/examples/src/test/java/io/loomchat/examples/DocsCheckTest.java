package io.loomchat.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The guide's checks themselves, on small pages: each kind of mistake is caught, and a right page passes. */
class DocsCheckTest {
    @TempDir
    Path root;

    private DocsCheck check() {
        return new DocsCheck(root, Set.of("docs/later.md"));
    }

    private Path write(String name, String... lines) throws IOException {
        Path file = root.resolve(name);
        Files.createDirectories(file.getParent());
        Files.write(file, List.of(lines));
        return file;
    }

    @Test
    void snippetQuotedWithOtherIndentationMatches() throws IOException {
        write("src/A.java", "class A {", "    void a() {", "        b();", "    }", "}");
        List<String> page = List.of("<!-- from src/A.java -->", "```java", "void a() {", "    b();", "}", "```");
        assertEquals(List.of(), check().snippetProblems("page.md", page));
    }

    @Test
    void staleSnippetIsReportedWithTheFirstLineThatDiffers() throws IOException {
        write("src/A.java", "class A {", "    void a() {", "        c();", "    }", "}");
        List<String> page = List.of("text", "", "<!-- from src/A.java -->", "```java", "void a() {", "    b();", "}",
                "```");
        assertEquals(List.of("page.md:4: differs from src/A.java: its first 1 lines are lines 2-2 there, then the"
                + " snippet has `b();` where the file has `c();`"), check().snippetProblems("page.md", page));
    }

    @Test
    void snippetFromAMissingFileIsReported() {
        List<String> page = List.of("<!-- from src/Gone.java -->", "```java", "x();", "```");
        assertEquals(List.of("page.md:2: no such file: src/Gone.java"), check().snippetProblems("page.md", page));
    }

    @Test
    void javaBlockNeedsAMarkerUnlessMarkedAsNotCode() {
        List<String> page = List.of("```java", "x();", "```", "", "<!-- not code -->", "```java", "y();", "```",
                "```sh", "ls", "```");
        List<String> problems = check().snippetProblems("page.md", page);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("page.md:1: a ```java block needs <!-- from PATH -->"), problems.get(0));
    }

    @Test
    void markerWithoutACodeBlockIsReported() {
        List<String> page = List.of("<!-- from src/A.java -->", "some prose");
        assertEquals(List.of("page.md:1: a <!-- from PATH --> marker with no code block after it"),
                check().snippetProblems("page.md", page));
    }

    @Test
    void slugsFollowGitHubRules() {
        assertEquals("asynchatasync_chat", DocsCheck.slug("`asynchat.async_chat`"));
        assertEquals("1-echo-pymotw", DocsCheck.slug("1. Echo (PyMOTW)"));
        assertEquals("3-http11", DocsCheck.slug("3. HTTP/1.1"));
        assertEquals("asynchat--loomchat", DocsCheck.slug("asynchat → loomchat"));
        assertEquals("the-__init__-method", DocsCheck.slug("The `__init__` method"));
        assertEquals("bold-and-a-link", DocsCheck.slug("**Bold** and [a link](x.md)"));
        assertEquals(Set.of("x", "x-1", "y"), DocsCheck.anchors(List.of("# x", "```", "# not a heading", "```",
                "## x", "### y")));
    }

    @Test
    void brokenLinksAndAnchorsAreReportedButNotLinksInCode() throws IOException {
        write("docs/b.md", "# Bee", "## Second part");
        Path page = write("docs/a.md", "# A",
                "[ok](b.md) [ok](b.md#second-part) [ok](#a) [ok](../docs/b.md \"title\") [web](https://x.org/y)",
                "[gone](c.md) [bad anchor](b.md#third) `[in code](nowhere.md)` [later](later.md)",
                "```", "[in a block](nowhere.md)", "```",
                "[ref]: missing.md");
        assertEquals(List.of(
                "docs/a.md:3: no such file: c.md",
                "docs/a.md:3: no heading in docs/b.md has the anchor #third; its anchors: [bee, second-part]",
                "docs/a.md:7: no such file: missing.md"), check().linkProblems(page));
    }
}

package io.loomchat.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The guide as it is in the repository: README.md and docs/*.md. Every quoted snippet matches its source file,
 * every relative link and anchor resolves, and the guide's index links every page. See {@link DocsCheck} for the
 * rules.
 */
class DocsTest {
    /**
     * Prints every name an asynchat program may use: asynchat's and asyncore's functions and classes, the
     * methods and attributes of async_chat (class and instance), simple_producer and dispatcher, the channel map,
     * and Python 2's fifo class.
     */
    private static final String ASYNCHAT_NAMES = """
            import asynchat, asyncore
            def own(module):
                return {n for n, v in vars(module).items()
                        if not n.startswith('_') and getattr(v, '__module__', None) == module.__name__}
            names = own(asynchat) | own(asyncore) | {'socket_map', 'fifo'}
            for cls in (asynchat.async_chat, asynchat.simple_producer, asyncore.dispatcher):
                names |= {n for n in vars(cls) if not n.startswith('__')}
            names |= set(vars(asynchat.async_chat()))
            print('\\n'.join(sorted(names)))
            """;

    private static final Path ROOT = repositoryRoot();
    private final DocsCheck check = new DocsCheck(ROOT, Set.of());

    @Test
    void everySnippetIsQuotedFromItsSource() throws IOException {
        List<String> problems = new ArrayList<>();
        int quoted = 0;
        for (Path page : pages()) {
            List<String> lines = DocsCheck.read(page);
            problems.addAll(check.snippetProblems(name(page), lines));
            quoted += (int) DocsCheck.blocks(lines).stream().filter(b -> b.marker() != null)
                    .filter(b -> b.marker().startsWith("<!-- from ")).count();
        }
        assertEquals("", String.join("\n", problems), "snippets that are not in their source");
        assertTrue(quoted >= 20, "only " + quoted + " quoted snippets found: is the check looking at the pages?");
    }

    @Test
    void everyRelativeLinkAndAnchorResolves() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Path page : pages()) problems.addAll(check.linkProblems(page));
        assertEquals("", String.join("\n", problems), "broken links");
    }

    @Test
    void theReadmeLinksTheGuideAndTheGuideLinksEveryPage() throws IOException {
        Set<String> fromReadme = linkedPages(ROOT.resolve("README.md"));
        assertTrue(fromReadme.contains("docs/README.md"), "README.md links the guide's index; it links " + fromReadme);
        Set<String> expected = new TreeSet<>();
        for (Path page : pages()) expected.add(name(page));
        expected.remove("README.md");
        expected.remove("docs/README.md");
        Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(linkedPages(ROOT.resolve("docs/README.md")));
        assertEquals(Set.of(), missing, "pages the guide's index (docs/README.md) does not link");
    }

    @Test
    @Timeout(60)
    void asynchatPageNamesEveryAsynchatName() throws Exception {
        RealClient.require("python3", "python3");
        RealClient.Result result = RealClient.runOk("python3", "-W", "ignore::DeprecationWarning", "-c",
                ASYNCHAT_NAMES);
        List<String> names = result.out().lines().map(String::strip).filter(n -> !n.isEmpty()).toList();
        String page = Files.readString(ROOT.resolve("docs/asynchat.md"));
        // A name counts when it opens a code span: `name`, `name(...)`, `asyncore.name...`.
        List<String> missing = names.stream().filter(name -> !Pattern.compile(
                "`(?:asyncore\\.|asynchat\\.)?" + Pattern.quote(name) + "[`( .\\[]").matcher(page).find()).toList();
        assertEquals(List.of(), missing, "asynchat names that docs/asynchat.md does not map");
        assertTrue(names.size() >= 60, "only " + names.size() + " names from Python: " + names);
    }

    /** The toolchains plugin whose JDK discovery the getting-started project uses (3.2.0 added it). */
    private static final String TOOLCHAINS_PLUGIN = "3.2.0";

    @Test
    void gettingStartedPomUsesTheBuildsVersions() throws IOException {
        String build = Files.readString(ROOT.resolve("pom.xml"));
        String project = Files.readString(ROOT.resolve("docs/examples/src/test/resources/getting-started/pom.xml"));
        List<String> problems = new ArrayList<>();
        Matcher dependency = Pattern.compile("<dependency>\\s*<groupId>(.+?)</groupId>\\s*<artifactId>(.+?)"
                + "</artifactId>\\s*<version>(.+?)</version>").matcher(project);
        int dependencies = 0;
        for (; dependency.find(); dependencies++) {
            String group = dependency.group(1);
            String artifact = dependency.group(2);
            String expected = switch (group) {
                case "io.loomchat" -> element(build, "version"); // the first <version> is the project's
                case "org.junit.jupiter" -> element(build, "junit.version"); // through the JUnit BOM
                default -> element(build, artifact.replaceAll("-.*", "") + ".version"); // logback.version
            };
            if (!dependency.group(3).equals(expected)) {
                problems.add(group + ":" + artifact + ":" + dependency.group(3) + ", but the build uses " + expected);
            }
            boolean module = Files.isDirectory(ROOT.resolve(artifact.equals("loomchat-bom") ? "bom" : artifact));
            if (group.equals("io.loomchat") && !module) problems.add(artifact + " is not a module of the build");
        }
        Matcher plugin = Pattern.compile("<artifactId>(maven-[a-z]+-plugin)</artifactId>\\s*<version>(.+?)</version>")
                .matcher(project);
        int plugins = 0;
        for (; plugin.find(); plugins++) {
            Matcher managed = Pattern.compile("<artifactId>" + plugin.group(1) + "</artifactId>\\s*<version>(.+?)<")
                    .matcher(build);
            // loomchat's own build finds its JDK with ./mvnw; only a user's project needs the toolchains plugin.
            String expected = plugin.group(1).equals("maven-toolchains-plugin") ? TOOLCHAINS_PLUGIN
                    : managed.find() ? managed.group(1) : "none";
            if (!plugin.group(2).equals(expected)) {
                problems.add(plugin.group(1) + ":" + plugin.group(2) + ", but the build uses " + expected);
            }
        }
        assertEquals(List.of(), problems, "versions in the getting-started pom.xml that differ from the build's");
        assertEquals(3, dependencies, "versioned dependencies read from the getting-started pom.xml");
        assertTrue(project.contains("<artifactId>chat-server</artifactId>\n        </dependency>"),
                "chat-server takes its version from the BOM");
        assertEquals(4, plugins, "plugins read from the getting-started pom.xml");
    }

    @Test
    void quotedStackFramesPointIntoTheMethodsTheyName() throws IOException {
        StackFrameCheck frames = new StackFrameCheck(ROOT);
        List<String> problems = new ArrayList<>();
        for (Path page : pages()) problems.addAll(frames.check(page));
        assertEquals(List.of(), problems, "stack frames quoted in the guide that the sources no longer match");
        assertTrue(frames.frames() >= 10, "only " + frames.frames() + " frames of loomchat's code quoted");
    }

    @Test
    void theBomListsEveryLibraryModuleAtTheBuildsVersion() throws IOException {
        String build = Files.readString(ROOT.resolve("pom.xml"));
        String bom = Files.readString(ROOT.resolve("bom/pom.xml"));
        String version = element(build, "version");
        assertEquals(version, element(bom, "version"), "bom/pom.xml's own version");
        // The library modules: the build's modules, less the BOM, the examples and the benchmarks.
        List<String> libraries = new ArrayList<>();
        Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(build);
        while (module.find()) {
            if (!module.group(1).contains("/") && !module.group(1).equals("bom")) libraries.add(module.group(1));
        }
        List<String> listed = new ArrayList<>();
        String management = bom.substring(bom.indexOf("<dependencyManagement>"),
                bom.indexOf("</dependencyManagement>"));
        Matcher managed = Pattern.compile("<artifactId>(.+?)</artifactId>\\s*<version>(.+?)</version>")
                .matcher(management);
        while (managed.find()) {
            listed.add(managed.group(1));
            assertEquals(version, managed.group(2), managed.group(1) + "'s version in the BOM");
        }
        assertEquals(libraries, listed, "the modules the BOM lists, in the build's order");
    }

    /** Returns the text of the first {@code <name>} element of {@code xml}, or "none". */
    private static String element(String xml, String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]*)</").matcher(xml);
        return m.find() ? m.group(1) : "none";
    }

    /** Returns the repository's pages that the checks cover: README.md and docs/*.md. */
    static List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>();
        pages.add(ROOT.resolve("README.md"));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }

    private static Set<String> linkedPages(Path page) {
        Set<String> linked = new TreeSet<>();
        for (DocsCheck.Link link : DocsCheck.links(DocsCheck.read(page))) {
            if (!link.path().isEmpty()) linked.add(name(page.getParent().resolve(link.path()).normalize()));
        }
        return linked;
    }

    private static String name(Path file) {
        return ROOT.relativize(file).toString().replace('\\', '/');
    }

    /** Finds the repository root above the working directory (docs/examples when Maven runs the tests). */
    static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("docs/examples"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no repository root (README.md and docs/examples) above "
                + Path.of("").toAbsolutePath());
    }
}

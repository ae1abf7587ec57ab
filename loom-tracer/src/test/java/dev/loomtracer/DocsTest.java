package dev.loomtracer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * README.md and docs/*.md name only what exists: every relative link points to a file of the
 * repository (and, into a Markdown file, to a heading it has, by GitHub's anchor rule), every
 * document cited in a code span ({@code `STRESS.md`}) is in the repository, and every
 * {@code ./loomtrace COMMAND} they show is a row of the launcher's JAVA_COMMANDS or SCRIPT_COMMANDS
 * table (the script {@code loomtrace} at the repository root).
 */
class DocsTest {

    /** {@code [text](target)} or {@code [text](target "title")}; images too. */
    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\)");
    /** A reference definition: {@code [name]: target}. */
    private static final Pattern REFERENCE = Pattern.compile("^\\s{0,3}\\[[^\\]]+\\]:\\s*<?(\\S+?)>?(?:\\s+.*)?$");
    /** A code span naming a Markdown file, as in {@code `ENGINE.md`}: a citation of a document. */
    private static final Pattern CITED_DOCUMENT = Pattern.compile("`([A-Za-z0-9_./-]+\\.md)`");
    private static final Pattern COMMAND = Pattern.compile("\\./loomtrace\\s+([a-z][a-z0-9-]*)");
    /** A row of the launcher's tables: {@code   "name|...}. */
    private static final Pattern TABLE_ROW = Pattern.compile("^\\s+\"([a-z][a-z0-9-]*)\\|");
    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");

    @Test
    void everyRelativeLinkAndLauncherCommandExists() throws IOException {
        Path root = repositoryRoot();
        List<String> problems = problems(root, documents(root), launcherCommands(root));
        assertEquals(List.of(), problems, "README.md and docs/ name what does not exist");
    }

    /** The check itself finds a broken link, a missing anchor and an unknown command. */
    @Test
    void findsWhatIsBroken(@TempDir Path root) throws IOException {
        Files.createDirectories(root.resolve("docs"));
        Files.writeString(root.resolve("README.md"), """
                # Loom Tracer
                ## Getting `started`, quickly!
                See [the engine](docs/ENGINE.md), [gone](docs/GONE.md), [a section](docs/ENGINE.md#the-five-protocols),
                [no section](docs/ENGINE.md#nowhere), [here](#getting-started-quickly) and [web](https://go.dev).
                As `docs/ENGINE.md` and `DESIGN.md` say.
                ```
                ./loomtrace demo
                ./loomtrace frobnicate x
                ```
                """);
        Files.writeString(root.resolve("docs/ENGINE.md"), "# Engine\n\n## The five protocols\n[back](../README.md#loom-tracer), `README.md`\n");
        List<String> problems = problems(root, documents(root), Set.of("demo", "help"));
        assertEquals(List.of(
                "README.md:3: link to docs/GONE.md: no such file",
                "README.md:4: link to docs/ENGINE.md#nowhere: no heading 'nowhere' in docs/ENGINE.md",
                "README.md:5: cites DESIGN.md: not in the repository",
                "README.md:8: ./loomtrace frobnicate: not a command of ./loomtrace (demo, help)"), problems);
    }

    @Test
    void readsTheLaunchersTables() throws IOException {
        Set<String> commands = launcherCommands(repositoryRoot());
        assertTrue(commands.containsAll(Set.of("demo", "run", "to-jfr", "test", "build", "help")), commands.toString());
        assertTrue(!commands.contains("loomtrace") && !commands.contains("usage"), commands.toString());
    }

    private static List<String> problems(Path root, List<Path> documents, Set<String> commands) throws IOException {
        List<String> problems = new ArrayList<>();
        Map<Path, Set<String>> anchors = new HashMap<>();
        for (Path doc : documents) {
            List<String> lines = Files.readAllLines(doc);
            String name = root.relativize(doc).toString();
            boolean fenced = false;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                String where = name + ":" + (i + 1) + ": ";
                Matcher command = COMMAND.matcher(line);
                while (command.find()) {
                    if (!commands.contains(command.group(1))) {
                        problems.add(where + "./loomtrace " + command.group(1) + ": not a command of ./loomtrace ("
                                + String.join(", ", commands.stream().sorted().toList()) + ")");
                    }
                }
                if (line.stripLeading().startsWith("```")) {
                    fenced = !fenced;
                }
                if (fenced) {
                    continue;
                }
                List<String> targets = new ArrayList<>();
                Matcher link = LINK.matcher(line);
                while (link.find()) {
                    targets.add(link.group(1));
                }
                Matcher reference = REFERENCE.matcher(line);
                if (reference.matches()) {
                    targets.add(reference.group(1));
                }
                Matcher cited = CITED_DOCUMENT.matcher(line);
                while (cited.find()) {
                    String file = cited.group(1);
                    if (!Files.isRegularFile(doc.getParent().resolve(file)) && !Files.isRegularFile(root.resolve(file))) {
                        problems.add(where + "cites " + file + ": not in the repository");
                    }
                }
                for (String target : targets) {
                    String problem = checkLink(root, doc, target, anchors);
                    if (problem != null) {
                        problems.add(where + "link to " + target + ": " + problem);
                    }
                }
            }
        }
        return problems;
    }

    /** Null if {@code target}, written in {@code doc}, exists; else what is wrong. */
    private static String checkLink(Path root, Path doc, String target, Map<Path, Set<String>> anchors) throws IOException {
        if (SCHEME.matcher(target).find()) {
            return null;   // a web address: not checked here
        }
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        Path resolved = file.isEmpty() ? doc : doc.getParent().resolve(file).normalize();
        if (!resolved.startsWith(root) || !Files.exists(resolved)) {
            return "no such file";
        }
        if (anchor != null && resolved.toString().endsWith(".md")
                && !anchors.computeIfAbsent(resolved, DocsTest::headingAnchors).contains(anchor)) {
            return "no heading '" + anchor + "' in " + root.relativize(resolved);
        }
        return null;
    }

    /**
     * The anchors GitHub gives a Markdown file's headings: lower case, punctuation other than
     * '-' and '_' dropped, spaces made '-', a repeated heading suffixed -1, -2, ...
     */
    private static Set<String> headingAnchors(Path markdown) {
        Set<String> anchors = new HashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean fenced = false;
        try {
            for (String line : Files.readAllLines(markdown)) {
                if (line.stripLeading().startsWith("```")) {
                    fenced = !fenced;
                }
                if (fenced || !line.startsWith("#")) {
                    continue;
                }
                String text = line.replaceFirst("^#+\\s*", "").replaceFirst("\\s+#+\\s*$", "").strip();
                String slug = text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
                int n = seen.merge(slug, 1, Integer::sum) - 1;
                anchors.add(n == 0 ? slug : slug + "-" + n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return anchors;
    }

    private static List<Path> documents(Path root) throws IOException {
        List<Path> documents = new ArrayList<>();
        documents.add(root.resolve("README.md"));
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(documents::add);
        }
        return documents;
    }

    /** The subcommand names of the launcher's JAVA_COMMANDS and SCRIPT_COMMANDS tables. */
    private static Set<String> launcherCommands(Path root) throws IOException {
        Set<String> commands = new HashSet<>();
        String table = null;
        for (String line : Files.readAllLines(root.resolve("loomtrace"))) {
            if (line.startsWith("JAVA_COMMANDS=(") || line.startsWith("SCRIPT_COMMANDS=(")) {
                table = line;
            } else if (table != null && line.startsWith(")")) {
                table = null;
            } else if (table != null) {
                Matcher row = TABLE_ROW.matcher(line);
                if (row.find()) {
                    commands.add(row.group(1));
                }
            }
        }
        return commands;
    }

    /** The directory holding the launcher and README.md, from the module's working directory up. */
    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("loomtrace")) && Files.isRegularFile(dir.resolve("README.md"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no directory holding loomtrace and README.md above " + Path.of("").toAbsolutePath());
    }
}

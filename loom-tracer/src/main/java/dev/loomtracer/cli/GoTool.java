package dev.loomtracer.cli;

import dev.loomtracer.judge.GoBinary;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The "open it with: go tool trace FILE" hint the commands print, with a go command that works
 * on this machine.
 *
 * <p>Invariant: the hint names the go binary the project's judge would use when there is one
 * ({@link GoBinary#find}: {@code go} itself when it came from the PATH); otherwise it says how to
 * get one. It always says that the web UI's profile graphs need Graphviz, and whether Graphviz's
 * {@code dot} is on the PATH.
 */
public final class GoTool {
    private GoTool() {}

    /** The go command to print, or null if none is found. */
    static String goCommand(Map<String, String> env) {
        GoBinary.Lookup found = GoBinary.find(env);
        return found.go().map(p -> found.onPath() ? "go" : p.toString()).orElse(null);
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

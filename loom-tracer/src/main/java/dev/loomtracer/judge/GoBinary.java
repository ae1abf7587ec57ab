package dev.loomtracer.judge;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where Go's {@code go} binary (1.23 or newer: its {@code go tool trace -d=1 FILE}, the project's
 * independent judge, reads go 1.23 traces and exits 1 on any inconsistency) is found.
 *
 * <p>Invariant: this is the one home of that lookup, in one order: {@code $LOOMTRACE_GO}, else the
 * first {@code go} on the PATH, else {@code /usr/lib/go-1.23/bin/go} (Debian's golang-1.23-go, as
 * scripts/ensure-go.sh installs it), each only if {@code go version} says Go 1.23 or newer. An
 * explicit {@code $LOOMTRACE_GO} is never passed over: if it cannot judge, the lookup says so
 * ({@link Lookup#problem}) instead of falling back. Its callers: the tests' judge
 * ({@code dev.loomtracer.testing.GoJudge}, which may also install Go), the commands' "open it with"
 * hint ({@code dev.loomtracer.cli.GoTool}) and the stress run.
 */
public final class GoBinary {
    private GoBinary() {}

    /** Where Debian's golang-1.23-go (bookworm-backports; scripts/ensure-go.sh) puts go. */
    public static final Path DEBIAN_GO = Path.of("/usr/lib/go-1.23/bin/go");

    /**
     * What the lookup found: {@code go} (empty if none), whether it came from the PATH, what was
     * looked at, and, when {@code $LOOMTRACE_GO} names something that cannot judge, why (then
     * {@code go} is empty).
     */
    public record Lookup(Optional<Path> go, boolean onPath, List<String> tried, String problem) {}

    /** The lookup in this process's environment. */
    public static Lookup find() {
        return find(System.getenv());
    }

    /** The lookup in {@code env} ({@code LOOMTRACE_GO} and {@code PATH} are read from it). */
    public static Lookup find(Map<String, String> env) {
        List<String> tried = new ArrayList<>();
        String configured = env.get("LOOMTRACE_GO");
        if (configured != null && !configured.isBlank()) {
            Path p = Path.of(configured);
            tried.add("$LOOMTRACE_GO=" + configured);
            if (!Files.isExecutable(p)) {
                return new Lookup(Optional.empty(), false, tried, "$LOOMTRACE_GO=" + configured + " is not an executable file");
            }
            if (!isAtLeast123(p)) {
                return new Lookup(Optional.empty(), false, tried, "$LOOMTRACE_GO=" + configured
                        + " is not Go >= 1.23: `go version` says \"" + version(p).strip() + "\"");
            }
            return new Lookup(Optional.of(p), false, tried, null);
        }
        tried.add("go on PATH (>= 1.23)");
        for (String dir : env.getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path p = Path.of(dir, "go");
                if (Files.isExecutable(p) && isAtLeast123(p)) {
                    return new Lookup(Optional.of(p), true, tried, null);
                }
            }
        }
        tried.add(DEBIAN_GO.toString());
        if (Files.isExecutable(DEBIAN_GO) && isAtLeast123(DEBIAN_GO)) {
            return new Lookup(Optional.of(DEBIAN_GO), false, tried, null);
        }
        return new Lookup(Optional.empty(), false, tried, null);
    }

    /** True if {@code go version} names Go 1.23 or newer. */
    public static boolean isAtLeast123(Path goBin) {
        Matcher m = Pattern.compile("\\bgo1\\.(\\d+)").matcher(version(goBin));
        return m.find() && Integer.parseInt(m.group(1)) >= 23;
    }

    /** What {@code goBin version} prints ("" if it does not run, fails or takes over a minute). */
    public static String version(Path goBin) {
        try {
            Path out = Files.createTempFile("gobinary", ".out");
            try {
                ProcessBuilder pb = new ProcessBuilder(goBin.toString(), "version");
                pb.environment().put("GOTOOLCHAIN", "local"); // the local toolchain only, no download
                Process p = pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectOutput(out.toFile())
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
                if (!p.waitFor(1, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    return "";
                }
                return p.exitValue() == 0 ? Files.readString(out) : "";
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}

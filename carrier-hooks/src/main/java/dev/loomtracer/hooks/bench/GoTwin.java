package dev.loomtracer.hooks.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Builds the Go twin of {@link OverheadChild} ({@code carrier-hooks/src/main/go/pingpong/main.go})
 * for {@link CaptureOverhead}.
 *
 * <p>Invariant: returns an executable built from that source by the Go found, or null (and
 * says why on stderr) when there is no Go or no source: the harness then runs without the Go
 * configurations, never with a stale or foreign binary.
 */
final class GoTwin {
    private GoTwin() {}

    /** The twin built into {@code dir}, or null; {@code classes} is the harness's own class-path entry. */
    static Path build(Path classes, Path dir) throws IOException, InterruptedException {
        // carrier-hooks/target/classes -> carrier-hooks/src/main/go/pingpong/main.go
        Path source = classes.toAbsolutePath().getParent().getParent().resolve("src/main/go/pingpong/main.go");
        if (!Files.isRegularFile(source)) {
            System.err.println("overhead: no Go twin (" + source + " not found: run from a checkout's build)");
            return null;
        }
        String go = go();
        if (go == null) {
            System.err.println("overhead: no Go twin (no go found: set LOOMTRACE_GO, or run scripts/ensure-go.sh)");
            return null;
        }
        Path out = dir.resolve("pingpong-go");
        ProcessBuilder pb = new ProcessBuilder(go, "build", "-o", out.toString(), source.toString())
                .redirectErrorStream(true);
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            System.err.println("overhead: no Go twin (go build failed): " + log);
            return null;
        }
        return out;
    }

    private static String go() {
        for (String g : List.of(System.getenv().getOrDefault("LOOMTRACE_GO", ""), "/usr/lib/go-1.23/bin/go")) {
            if (!g.isEmpty() && Files.isExecutable(Path.of(g))) {
                return g;
            }
        }
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, "go"))) {
                return Path.of(d, "go").toString();
            }
        }
        return null;
    }
}

package dev.loomtracer.jfr;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Go's trace parser as a judge: {@code go tool trace -d=1 FILE} exits 1 on any inconsistency. */
final class GoTool {
    private GoTool() {}

    static Path go() {
        String env = System.getenv("LOOMTRACE_GO");
        if (env != null && !env.isBlank() && Files.isExecutable(Path.of(env))) {
            return Path.of(env);
        }
        Path debian = Path.of("/usr/lib/go-1.23/bin/go");
        if (Files.isExecutable(debian)) {
            return debian;
        }
        throw new AssertionError("Go >= 1.23 is needed to judge traces: install golang-1.23-go or set LOOMTRACE_GO");
    }

    /** Fails with Go's error unless Go's parser accepts the trace; returns its event lines. */
    static String assertValid(Path trace) throws IOException, InterruptedException {
        Path out = Files.createTempFile("go", ".out");
        Path err = Files.createTempFile("go", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(go().toString(), "tool", "trace", "-d=1", trace.toString());
            pb.environment().put("GOTOOLCHAIN", "local");
            pb.environment().putIfAbsent("GOCACHE", System.getProperty("java.io.tmpdir") + "/loomtrace-gocache");
            pb.environment().putIfAbsent("GOPATH", System.getProperty("java.io.tmpdir") + "/loomtrace-gopath");
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("go tool trace did not finish");
            }
            if (p.exitValue() != 0) {
                throw new AssertionError("Go's parser rejects " + trace + ": " + Files.readString(err));
            }
            return Files.readString(out);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}

package dev.loomtracer.stress;

import dev.loomtracer.format.TracePrefix;

import dev.loomtracer.format.EventType;
import dev.loomtracer.parse.TraceEvent;
import dev.loomtracer.parse.TraceFormatException;
import dev.loomtracer.parse.TraceParser;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The two judges of a trace: the project's validator and Go's own parser. */
final class TraceCheck {
    private TraceCheck() {}

    /** What the project's parser read. */
    record Parsed(long events, long generations, long userLogs, List<String> logCategories, TraceFormatException error) {}

    /** Reads every event; a truncated or invalid spot ends the read and is returned, not thrown. */
    static Parsed parse(Path file) throws IOException {
        long events = 0;
        long gens = 0;
        long logs = 0;
        List<String> categories = new ArrayList<>();
        try (TraceParser p = TraceParser.open(file)) {
            for (TraceEvent e; (e = p.next()) != null; ) {
                events++;
                if (e.isSync()) {
                    gens++;
                } else if (e.type() == EventType.USER_LOG) {
                    logs++;
                    if (categories.size() < 1000 && e.name() != null && e.name().startsWith("loomtrace.")) {
                        categories.add(e.name());
                    }
                }
            }
        } catch (TraceFormatException e) {
            return new Parsed(events, gens, logs, categories, e);
        }
        return new Parsed(events, gens, logs, categories, null);
    }

    /** Validates with the project's parser; throws with the reason if the trace is invalid. */
    static Parsed validate(Path file) throws IOException {
        Parsed p = parse(file);
        if (p.error() != null) {
            throw new IOException("the project's validator rejects " + file + ": " + p.error().getMessage(), p.error());
        }
        if (p.generations() == 0) {
            throw new IOException("no complete generation in " + file);
        }
        return p;
    }

    /** Runs {@code go tool trace -d=1}; throws with Go's message unless Go accepts the trace. */
    static void goJudge(Path go, Path file) throws IOException, InterruptedException {
        Path err = Files.createTempFile("gojudge", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(go.toString(), "tool", "trace", "-d=1", file.toAbsolutePath().toString());
            pb.environment().put("GOTOOLCHAIN", "local");
            pb.environment().putIfAbsent("GOCACHE", System.getProperty("java.io.tmpdir") + "/loomtrace-gocache");
            pb.environment().putIfAbsent("GOPATH", System.getProperty("java.io.tmpdir") + "/loomtrace-gopath");
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.redirectError(err.toFile());
            Process p = pb.start();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException("go tool trace -d=1 did not finish in 10 minutes on " + file);
            }
            if (p.exitValue() != 0) {
                String msg = Files.readString(err).strip();
                if (msg.length() > 2000) {
                    msg = msg.substring(msg.length() - 2000);
                }
                throw new IOException("Go's parser rejects " + file + ": " + msg);
            }
        } finally {
            Files.deleteIfExists(err);
        }
    }

    /** The byte offset where the last generation that is certainly complete ends ({@link TracePrefix#complete}). */
    static long completePrefix(byte[] a) {
        return TracePrefix.complete(a);
    }
}

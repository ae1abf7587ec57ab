package dev.loomtracer.jfr;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomtracer.analysis.Analysis;
import dev.loomtracer.analysis.AnalysisOptions;
import dev.loomtracer.jfr.CommandsFailCleanlyTest.Outcome;
import dev.loomtracer.parse.TraceEvent;
import dev.loomtracer.parse.TraceFormatException;
import dev.loomtracer.parse.TraceParser;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Fuzzing in the build (issue 11): seeded mutations of a checked-in corpus of traces (and of a
 * JFR recording made here) through the parser/validator, the analysis layer, {@code to-jfr} and
 * {@code jfr-import}, for a fixed time budget ({@code -Dloomtrace.fuzz.seconds}, 20 s by default;
 * {@code -Dloomtrace.fuzz.seed} picks the sequence). The only acceptable outcomes are a result or a
 * clean error: the parser's {@link TraceFormatException}, exit 1 with the input's name and no stack
 * trace from a command, and a merged trace both judges accept. Anything else is a crasher: saved
 * under target/fuzz-crashers and the test fails; a crasher, once fixed, goes into
 * src/test/resources/fuzz/crashers, which {@link #pastCrashersStayFixed} replays every build.
 */
class FuzzTest {
    @TempDir
    Path dir;

    static final long SECONDS = Long.getLong("loomtrace.fuzz.seconds", 20);
    static final long SEED = Long.getLong("loomtrace.fuzz.seed", 20261206);

    final Map<String, Integer> outcomes = new TreeMap<>();
    final List<String> crashers = new ArrayList<>();

    static List<Path> corpus(String name) throws IOException, URISyntaxException {
        Path d = Path.of(FuzzTest.class.getResource("/fuzz/" + name).toURI());
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    /** Go's own small traces, from the engine's test resources. */
    static byte[] goTrace(String name) throws IOException {
        try (InputStream in = FuzzTest.class.getResourceAsStream("/go-traces/" + name)) {
            return in.readAllBytes();
        }
    }

    private void count(String target, String outcome) {
        outcomes.merge(target + ": " + outcome, 1, Integer::sum);
    }

    private void crasher(String target, Path input, String what) throws IOException {
        Path keep = Files.createDirectories(Path.of("target", "fuzz-crashers"));
        Path saved = keep.resolve(target + "-" + crashers.size() + "-" + input.getFileName());
        Files.copy(input, saved, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        crashers.add(target + " on " + saved.toAbsolutePath() + ": " + what);
    }

    /** The validator reads to the end or throws TraceFormatException; nothing else. Returns true if valid. */
    private boolean parse(Path t) throws IOException {
        try (TraceParser p = TraceParser.open(t)) {
            while (p.next() != null) {
                // read everything
            }
            count("parse", "valid");
            return true;
        } catch (TraceFormatException e) {
            count("parse", e.truncated() ? "truncated" : "invalid");
        } catch (RuntimeException | Error e) {
            crasher("parse", t, e.toString());
        }
        return false;
    }

    private void analyze(Path t) throws IOException {
        try {
            Analysis.of(t, AnalysisOptions.defaults());
            count("analysis", "result");
        } catch (IOException e) {
            count("analysis", "clean error");
        } catch (RuntimeException | Error e) {
            crasher("analysis", t, e.toString());
        }
    }

    private void toJfr(Path t) throws Exception {
        Path out = dir.resolve("out.jfr");
        Outcome r;
        try {
            r = CommandsFailCleanlyTest.run(false, t.toString(), "-o", out.toString(), "--quiet");
        } catch (RuntimeException | Error e) {
            crasher("to-jfr", t, e.toString());
            return;
        }
        judgeCommand("to-jfr", r, t, out, false);
    }

    private void jfrImport(Path t, Path jfr, Path named) throws Exception {
        Path out = dir.resolve("merged.trace");
        Outcome r;
        try {
            r = CommandsFailCleanlyTest.importJfr(t, jfr, out);
        } catch (RuntimeException | Error e) {
            crasher("jfr-import", named, e.toString());
            return;
        }
        judgeCommand("jfr-import", r, named, out, true);
    }

    private void judgeCommand(String target, Outcome r, Path input, Path out, boolean traceOut) throws Exception {
        if (r.code() == 0) {
            if (traceOut) {
                try {
                    dev.loomtracer.testing.GoJudge.assertValid(out); // ours validated it before writing it
                } catch (AssertionError e) {
                    crasher(target, input, "an output Go rejects: " + e.getMessage());
                    return;
                }
            }
            Files.deleteIfExists(out);
            count(target, "exit 0");
            return;
        }
        try {
            CommandsFailCleanlyTest.failsCleanly(r, input, out);
            count(target, "exit 1, clean");
        } catch (AssertionError e) {
            crasher(target, input, e.getMessage());
        }
    }

    /** A mutant: the generic corruptions, or a varint bomb, or a batch size made huge. */
    static byte[] mutate(byte[] good, Random rnd) {
        if (rnd.nextInt(4) == 0 && good.length > 20) {
            byte[] b = good.clone();
            int at = 16 + rnd.nextInt(b.length - 16);
            int n = Math.min(b.length - at, 1 + rnd.nextInt(12));
            java.util.Arrays.fill(b, at, at + n, (byte) 0xFF); // continuation bytes: overlong varints
            return b;
        }
        return JfrMutator.mutate(good, rnd);
    }

    @Test
    void fuzzTheParserAnalysisToJfrAndJfrImportForAFixedBudget() throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        for (Path p : corpus("seeds")) {
            seeds.add(Files.readAllBytes(p));
        }
        seeds.add(goTrace("basic.trace"));
        seeds.add(goTrace("cpu.trace"));
        Path trace = dir.resolve("run.trace");
        Path recording = dir.resolve("run.jfr");
        CommandsFailCleanlyTest.recordRun(trace, recording);
        seeds.add(Files.readAllBytes(trace));
        byte[] jfr = Files.readAllBytes(recording);

        Random rnd = new Random(SEED);
        long end = System.nanoTime() + SECONDS * 1_000_000_000L;
        int inputs = 0;
        Path t = dir.resolve("mutant.trace");
        Path j = dir.resolve("mutant.jfr");
        while (System.nanoTime() < end) {
            inputs++;
            if (rnd.nextInt(5) < 3) {
                Files.write(t, mutate(seeds.get(rnd.nextInt(seeds.size())), rnd));
                boolean valid = parse(t);
                analyze(t);
                toJfr(t);
                if (valid && rnd.nextInt(4) == 0) {
                    jfrImport(t, recording, t);
                }
            } else {
                Files.write(j, mutate(jfr, rnd));
                jfrImport(trace, j, j);
            }
        }
        System.out.println("fuzz: " + inputs + " inputs in " + SECONDS + " s (seed " + SEED + "), outcomes:");
        outcomes.forEach((k, v) -> System.out.println("  " + k + "  " + v));
        assertTrue(crashers.isEmpty(), crashers.size() + " crashers (kept in target/fuzz-crashers):\n"
                + String.join("\n", crashers));
        assertTrue(inputs > 0);
    }

    /** Every input that once crashed a command, replayed through all of them: only clean outcomes. */
    @Test
    void pastCrashersStayFixed() throws Exception {
        Path trace = dir.resolve("run.trace");
        Path recording = dir.resolve("run.jfr");
        CommandsFailCleanlyTest.recordRun(trace, recording);
        List<Path> past = corpus("crashers");
        assertTrue(past.size() >= 3, "the regression corpus is there: " + past);
        for (Path p : past) {
            Path copy = dir.resolve(p.getFileName());
            Files.copy(p, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            if (p.toString().endsWith(".jfr")) {
                jfrImport(trace, copy, copy);
            } else {
                parse(copy);
                analyze(copy);
                toJfr(copy);
                jfrImport(copy, recording, copy);
            }
        }
        outcomes.forEach((k, v) -> System.out.println("  crashers: " + k + "  " + v));
        assertTrue(crashers.isEmpty(), String.join("\n", crashers));
    }
}

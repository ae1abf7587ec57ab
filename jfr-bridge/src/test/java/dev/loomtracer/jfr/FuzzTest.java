package dev.loomtracer.jfr;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomtracer.analysis.Analysis;
import dev.loomtracer.analysis.AnalysisJson;
import dev.loomtracer.analysis.AnalysisOptions;
import dev.loomtracer.analysis.AnalysisResult;
import dev.loomtracer.analysis.Collapsed;
import dev.loomtracer.analysis.TextReport;
import dev.loomtracer.cli.Analyze;
import dev.loomtracer.jfr.CommandsFailCleanlyTest.Outcome;
import dev.loomtracer.parse.TraceEvent;
import dev.loomtracer.parse.TraceFormatException;
import dev.loomtracer.parse.TraceParser;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
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
 * JFR recording made here) through the parser/validator, the analysis layer and every renderer of
 * its result, the {@code analyze}, {@code to-jfr} and {@code jfr-import} commands, for a fixed time budget ({@code -Dloomtrace.fuzz.seconds}, 20 s by default;
 * {@code -Dloomtrace.fuzz.seed} picks the sequence). The only acceptable outcomes are a result or a
 * clean error: the parser's {@link TraceFormatException}, exit 1 with the input's name and no stack
 * trace from a command, and a merged trace both judges accept; an analysis that gives no answer
 * within {@link #HANG_SECONDS} hangs. Anything else is a crasher: saved
 * under target/fuzz-crashers and the test fails; a crasher, once fixed, goes into
 * src/test/resources/fuzz/crashers, which {@link #pastCrashersStayFixed} replays every build.
 */
class FuzzTest {
    @TempDir
    Path dir;

    static final long SECONDS = Long.getLong("loomtrace.fuzz.seconds", 20);
    static final long SEED = Long.getLong("loomtrace.fuzz.seed", 20261206);

    /** An input the analysis has not answered within this many seconds hangs (a seed takes milliseconds). */
    static final long HANG_SECONDS = 30;

    final Map<String, Integer> outcomes = new TreeMap<>();
    private java.util.concurrent.ExecutorService watchdog = newWatchdog();
    final List<String> crashers = new ArrayList<>();

    static List<Path> corpus(String name) throws IOException, URISyntaxException {
        Path d = Path.of(FuzzTest.class.getResource("/fuzz/" + name).toURI());
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    /** Go's own small traces, from the engine's test resources. */
    static byte[] goTrace(String name) throws IOException {
        // The fixtures are in the engine's test-jar: Class.getResourceAsStream of a class in a named
        // module (this test's, on the module path) looks in that module only.
        try (InputStream in = FuzzTest.class.getClassLoader().getResourceAsStream("go-traces/" + name)) {
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

    /**
     * The analysis layer and the {@code analyze} command over one input: {@link Analysis#of} gives a
     * result, which every renderer (text, JSON, each collapsed kind) turns into text, or the
     * parser's {@link TraceFormatException}; the command exits 0, or 1 naming the input on one line
     * without a stack trace or an exception's class (it turns an unexpected RuntimeException into
     * exit 1, so only its words tell a crash from a clean refusal). Each input runs on a watchdog
     * thread: no answer within {@link #HANG_SECONDS} (a seed takes milliseconds) is a hang.
     */
    private void analyze(Path t) throws Exception {
        java.util.concurrent.Future<String> f = watchdog.submit(() -> analyzeOnce(t));
        String what;
        try {
            what = f.get(HANG_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            f.cancel(true);
            watchdog.shutdownNow(); // its thread may stay stuck (a daemon): the next input gets a new one
            watchdog = newWatchdog();
            what = "no result within " + HANG_SECONDS + " s (a hang)";
        } catch (java.util.concurrent.ExecutionException e) {
            what = e.getCause().toString();
        }
        if (what != null) {
            crasher("analysis", t, what);
        }
    }

    /** Null if every outcome was clean, else what went wrong. */
    private String analyzeOnce(Path t) throws Exception {
        try {
            AnalysisResult r = Analysis.of(t, AnalysisOptions.defaults());
            TextReport.of(r);
            AnalysisJson.toJson(r);
            for (Collapsed.Kind k : Collapsed.Kind.values()) {
                Collapsed.of(r, k);
            }
            count("analysis", "result");
        } catch (TraceFormatException e) {
            count("analysis", "clean error");
        } catch (IOException e) {
            return "an IOException that is not the parser's TraceFormatException: " + e;
        } catch (RuntimeException | Error e) {
            return e.toString();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Analyze.run(new String[] {t.toString()}, new PrintStream(out), new PrintStream(err), false);
        if (code == 0) {
            count("analyze", "exit 0");
            return null;
        }
        try {
            CommandsFailCleanlyTest.failsCleanly(new Outcome(code, out.toString(), err.toString()), t, dir.resolve("none"));
        } catch (AssertionError e) {
            return "analyze: " + e.getMessage();
        }
        if (out.size() > 0) {
            return "analyze exited " + code + " after writing to stdout";
        }
        count("analyze", "exit 1, clean");
        return null;
    }

    private static java.util.concurrent.ExecutorService newWatchdog() {
        return java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread th = new Thread(r, "fuzz-analysis");
            th.setDaemon(true);
            return th;
        });
    }

    @AfterEach
    void stopWatchdog() {
        watchdog.shutdownNow();
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

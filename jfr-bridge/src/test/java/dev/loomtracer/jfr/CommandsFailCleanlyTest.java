package dev.loomtracer.jfr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomtracer.LoomTrace;
import dev.loomtracer.TraceOptions;
import dev.loomtracer.jfr.cli.ImportJfr;
import dev.loomtracer.jfr.cli.ToJfr;
import dev.loomtracer.jfr.events.LoomEvents;
import dev.loomtracer.jfr.model.ClockLog;
import dev.loomtracer.testing.CheckedTrace;

import jdk.jfr.Recording;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Every command fails cleanly on bad input (issue 11): exit 1 with the input's name and the
 * reason on one line, exit 2 for usage, never a stack trace or an exception's class name, and no
 * output file left behind when it fails. Inputs: a real small trace and JFR recording of the same
 * run, corrupted here deterministically; a trace whose clock log holds an out-of-range number; a
 * valid trace with a frequency of 1 tick per second.
 */
class CommandsFailCleanlyTest {
    @TempDir
    static Path dir;
    static Path trace;
    static Path recording;

    /** A trace with a clock log and the JFR recording of the same run (CPU samples, a GC, the clock sync). */
    @BeforeAll
    static void record() throws Exception {
        trace = dir.resolve("run.trace");
        recording = dir.resolve("run.jfr");
        recordRun(trace, recording);
    }

    /** Traces a short run with its clock log into {@code trace} while JFR records it into {@code recording}. */
    static void recordRun(Path trace, Path recording) throws Exception {
        try (Recording r = new Recording()) {
            r.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
            r.enable("jdk.GarbageCollection").withoutThreshold();
            r.enable("jdk.GCPhasePause").withoutThreshold();
            r.enable(LoomEvents.CLOCK_SYNC);
            r.start();
            try (OutputStream out = Files.newOutputStream(trace)) {
                LoomTrace.start(out, TraceOptions.defaults().generationPeriod(Duration.ofMillis(50)));
                dev.loomtracer.jfr.imports.JfrImport.writeClockLog();
                Thread vt = Thread.ofVirtual().start(() -> ImportTest.burn(150_000_000L));
                vt.join();
                System.gc(); // two collections: at 1 tick/s they share a tick (unusualFrequency...)
                System.gc();
                LoomTrace.stop();
            }
            r.stop();
            r.dump(recording);
        }
        CheckedTrace.of(trace);
    }

    record Outcome(int code, String out, String err) {}

    static Outcome importJfr(Path t, Path jfr, Path out) {
        return run(true, t.toString(), jfr.toString(), "-o", out.toString());
    }

    static Outcome run(boolean importer, String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = importer ? ImportJfr.run(args, new PrintStream(o), new PrintStream(e))
                : ToJfr.run(args, new PrintStream(o), new PrintStream(e));
        return new Outcome(code, o.toString(), e.toString());
    }

    /** Exit 1, the input named, no stack trace nor exception class, no output file nor temporary left. */
    static void failsCleanly(Outcome r, Path input, Path out) throws Exception {
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains(input.getFileName().toString()), "names " + input + ": " + r.err());
        assertFalse(r.err().contains("\tat ") || r.err().matches("(?s).*\\b(java|jdk)\\.[a-z.]+\\.[A-Z]\\w*(Exception|Error)\\b.*"),
                "no stack trace nor exception class: " + r.err());
        assertFalse(Files.exists(out), out + " left behind");
        try (Stream<Path> s = Files.list(out.toAbsolutePath().getParent())) {
            List<Path> temps = s.filter(p -> p.getFileName().toString().startsWith(".")).toList();
            assertTrue(temps.isEmpty(), "temporary files left: " + temps);
        }
    }

    /** Corruptions of the real recording: truncations, bit flips, overwritten and zeroed ranges. */
    @Test
    void corruptedRecordingsFailCleanly() throws Exception {
        byte[] good = Files.readAllBytes(recording);
        Random rnd = new Random(11);
        Map<String, Integer> outcomes = new TreeMap<>();
        Path mutants = Files.createDirectories(dir.resolve("mutants"));
        Path out = mutants.resolve("merged.trace");
        int n = 50;
        for (int i = 0; i < n; i++) {
            byte[] b = JfrMutator.mutate(good, rnd);
            Path jfr = mutants.resolve("corrupt-" + i + ".jfr");
            Files.write(jfr, b);
            Outcome r = importJfr(trace, jfr, out);
            if (r.code() == 0) {
                CheckedTrace.of(out); // both judges
                Files.delete(out);
                outcomes.merge("merged (valid)", 1, Integer::sum);
            } else {
                failsCleanly(r, jfr, out);
                outcomes.merge("exit 1: " + r.err().strip().replaceAll(".*corrupt-\\d+\\.jfr:?", "").replaceAll("\\d+", "N")
                        .lines().findFirst().orElse(""), 1, Integer::sum);
            }
            Files.delete(jfr);
        }
        System.out.println("jfr-import over " + n + " corrupted recordings:");
        outcomes.forEach((k, v) -> System.out.println("  " + v + "  " + k));
    }

    /** A clock log whose number does not fit a long: both commands say so, with the trace's name. */
    @Test
    void clockLogWithAnOutOfRangeNumber() throws Exception {
        Path bad = dir.resolve("bad-clock.trace");
        try (OutputStream out = Files.newOutputStream(bad)) {
            LoomTrace.start(out, TraceOptions.defaults());
            LoomTrace.log(ClockLog.CATEGORY, "nanoTime=99999999999999999999 epochNanos=1");
            Thread.ofVirtual().start(() -> ImportTest.burn(1_000_000L)).join();
            LoomTrace.stop();
        }
        CheckedTrace.of(bad);
        Path merged = dir.resolve("bad-clock-merged.trace");
        Outcome r = importJfr(bad, recording, merged);
        failsCleanly(r, bad, merged);
        assertTrue(r.err().contains("clock log") && r.err().contains("99999999999999999999"), r.err());
        Path jfr = dir.resolve("bad-clock.jfr");
        Outcome c = run(false, bad.toString(), "-o", jfr.toString(), "--quiet");
        failsCleanly(c, bad, jfr);
        assertTrue(c.err().contains("clock log"), c.err());
    }

    /** A valid trace at 1 tick per second: the merge is valid for both judges, or refused with a reason. */
    @Test
    void unusualFrequencyNeverGivesAnInvalidMerge() throws Exception {
        Path slow = dir.resolve("one-tick-per-second.trace");
        TraceEdits.withFrequency(trace, slow, 1);
        CheckedTrace.of(slow);
        Path merged = dir.resolve("one-tick-merged.trace");
        Outcome r = importJfr(slow, recording, merged);
        System.out.println("jfr-import at 1 tick/s: exit " + r.code() + ": " + r.out() + r.err());
        if (r.code() == 0) {
            CheckedTrace.of(merged);
        } else {
            failsCleanly(r, slow, merged);
        }
        assertFalse(r.err().contains("internal error"), r.err());
    }

    @Test
    void usageErrorsExit2() {
        assertEquals(2, run(true, trace.toString()).code());
        assertEquals(2, run(true, trace.toString(), recording.toString(), "-o").code());
        assertEquals(2, run(false, trace.toString(), "-o").code());
        assertEquals(2, run(false, "--bogus").code());
    }

    /** to-jfr over truncated and bit-flipped traces: exit 1 naming the trace and the byte, nothing written. */
    @Test
    void toJfrOnCorruptedTracesFailsCleanly() throws Exception {
        byte[] good = Files.readAllBytes(trace);
        Random rnd = new Random(12);
        Path mutants = Files.createDirectories(dir.resolve("trace-mutants"));
        Path jfr = mutants.resolve("out.jfr");
        int converted = 0;
        int refused = 0;
        for (int i = 0; i < 30; i++) {
            byte[] b = JfrMutator.mutate(good, rnd);
            Path t = mutants.resolve("corrupt-" + i + ".trace");
            Files.write(t, b);
            Outcome r = run(false, t.toString(), "-o", jfr.toString(), "--quiet");
            if (r.code() == 0) {
                converted++;
                Files.delete(jfr);
            } else {
                failsCleanly(r, t, jfr);
                refused++;
            }
            Files.delete(t);
        }
        System.out.println("to-jfr over 30 corrupted traces: " + converted + " converted, " + refused + " refused cleanly");
    }
}

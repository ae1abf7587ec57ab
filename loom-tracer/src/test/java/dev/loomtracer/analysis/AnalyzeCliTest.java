package dev.loomtracer.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomtracer.cli.Analyze;
import dev.loomtracer.cli.Demo;
import dev.loomtracer.testing.CheckedTrace;
import dev.loomtracer.testing.MiniJson;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code loomtrace analyze}: what it prints and its exit status for good, truncated, invalid and
 * annotation-only traces and for usage errors. Bad input only ever gives the clear errors: one
 * line naming what is wrong, no stack trace, nothing half-written on stdout.
 */
class AnalyzeCliTest {
    @TempDir
    static Path dir;
    static Path good;

    record Result(int exit, String out, String err) {}

    @BeforeAll
    static void writeTrace() throws Exception {
        good = dir.resolve("sim.trace");
        // SimulatedWorkload ends a generation after its creations, so the first two thirds of the
        // file always hold a complete generation for the --partial test below (with only the
        // 10 ms timer the whole run could be one generation: seen on a clean clone).
        SimulatedWorkload.write(good, 16, 12, Duration.ofMillis(10));
        CheckedTrace.of(good);
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Analyze.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static void noStackTrace(Result r) {
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception in"), r.err());
    }

    @Test
    void answersInWordsFirstThenSections() {
        Result r = run(good.toString());
        assertEquals(0, r.exit(), r.err());
        // Two platform "carriers" poll one run queue: on a quiet machine one of them can drain it
        // before the other starts, and then the trace rightly shows one carrier.
        assertTrue(r.out().matches("(?s)18 threads \\(16 virtual\\) on (1 carrier|2 carriers) .*"), r.out());
        assertTrue(r.out().contains("Task job: 16 done"), r.out());
        assertTrue(r.out().contains("Where their time went:"), r.out());
        assertTrue(r.out().contains("Pinned: "), r.out());
        for (String section : new String[] {"== Tasks", "== Scheduler latency", "== Blocking", "== Pinning", "== Carriers",
                "== Thread groups"}) {
            assertTrue(r.out().contains(section), section + " in " + r.out());
        }
        assertEquals("", r.err());
    }

    @Test
    void jsonHasTheDocumentedKeys() {
        Result r = run("--json", good.toString());
        assertEquals(0, r.exit(), r.err());
        Object json = MiniJson.parse(r.out());
        for (String k : new String[] {"count", "p50Nanos", "p99Nanos", "maxNanos", "totalNanos"}) {
            MiniJson.num(json, "schedLatency", k);
        }
        for (String k : new String[] {"count", "totalNanos"}) {
            MiniJson.num(json, "blocking", 0, k);
        }
        assertNotNull(MiniJson.at(json, "blocking", 0, "reason"));
        for (String k : new String[] {"count", "totalNanos", "maxNanos"}) {
            MiniJson.num(json, "pinned", k);
        }
        assertEquals("job", MiniJson.at(json, "tasks", 0, "type"));
        for (String k : new String[] {"count", "p50Nanos", "p99Nanos", "maxNanos"}) {
            MiniJson.num(json, "tasks", 0, k);
        }
        for (String k : new String[] {"count", "execNanos", "schedWaitNanos"}) {
            MiniJson.num(json, "threads", k);
        }
        assertEquals(16, MiniJson.num(json, "tasks", 0, "count"));
        assertFalse(((Map<?, ?>) json).containsKey("profiles"), "profiles are for --collapsed only");
    }

    @Test
    void aTruncatedTraceFailsWithItsOffsetUnlessPartial() throws Exception {
        byte[] all = Files.readAllBytes(good);
        Path cut = dir.resolve("cut.trace");
        Files.write(cut, Arrays.copyOf(all, all.length * 2 / 3));
        Result r = run("--json", cut.toString());
        assertEquals(1, r.exit());
        assertEquals("", r.out(), "nothing half-written on stdout");
        assertTrue(r.err().matches("(?s).*trace truncated at byte \\d+ in generation \\d+.*--partial.*"), r.err());
        noStackTrace(r);

        Result p = run("--json", "--partial", cut.toString());
        assertEquals(0, p.exit(), p.err());
        Object json = MiniJson.parse(p.out());
        assertTrue(((String) MiniJson.at(json, "trace", "cut")).startsWith("trace truncated at byte"), p.out());
        assertTrue(MiniJson.num(json, "trace", "generations") >= 1);
        assertTrue(p.err().contains("partial: trace truncated at byte"), p.err());
        Result text = run("--partial", cut.toString());
        assertTrue(text.out().startsWith("PARTIAL: only the complete generations were analysed"), text.out());
    }

    @Test
    void anInvalidTraceNamesTheByteAndGeneration() throws Exception {
        byte[] all = Files.readAllBytes(good);
        byte[] bad = all.clone();
        for (int i = 40; i < 60; i++) {
            bad[i] = (byte) 0xFF; // inside the first batch
        }
        Path f = dir.resolve("bad.trace");
        Files.write(f, bad);
        Result r = run(f.toString());
        assertEquals(1, r.exit(), r.out() + r.err());
        assertEquals("", r.out());
        assertTrue(r.err().matches("(?s).*(invalid trace|trace truncated) at byte \\d+.*"), r.err());
        noStackTrace(r);

        Path notATrace = dir.resolve("not.trace");
        Files.writeString(notATrace, "hello, this is not a trace at all");
        Result n = run(notATrace.toString());
        assertEquals(1, n.exit());
        assertTrue(n.err().contains("not a Go execution trace"), n.err());
        noStackTrace(n);
    }

    @Test
    void usageErrorsExit2() {
        for (String[] args : new String[][] {{}, {"--bogus", good.toString()}, {"--collapsed", "heap", good.toString()},
                {"--top", "0", good.toString()}, {"--json", "--collapsed", "blocked", good.toString()},
                {good.toString(), good.toString()}, {dir.resolve("missing.trace").toString()}}) {
            Result r = run(args);
            assertEquals(2, r.exit(), Arrays.toString(args) + ": " + r.err());
            assertEquals("", r.out());
            noStackTrace(r);
        }
    }

    @Test
    void collapsedWithoutStacksSaysSo() {
        Result r = run("--collapsed", "blocked", good.toString());
        assertEquals(0, r.exit());
        assertEquals("", r.out());
        assertTrue(r.err().contains("has no stacks for blocked time"), r.err());
    }

    @Test
    void aTraceWithoutSchedulingEventsSaysSo() throws Exception {
        Path f = dir.resolve("annotations.trace");
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        int exit = Demo.run(new String[] {"--no-agent", "--requests", "20", "-o", f.toString()},
                new PrintStream(sink, true, StandardCharsets.UTF_8), new PrintStream(sink, true, StandardCharsets.UTF_8));
        assertEquals(0, exit, sink.toString(StandardCharsets.UTF_8));
        CheckedTrace.of(f);
        Result r = run(f.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("This trace holds no scheduling events"), r.out());
        assertTrue(r.out().contains("Task request: 20 done"), r.out());
        assertFalse(r.out().contains("== Blocking"), "no empty tables: " + r.out());
    }
}

package dev.loomtracer.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomtracer.analysis.AnalysisResult.Reason;
import dev.loomtracer.testing.CheckedTrace;
import dev.loomtracer.testing.GoStateTimes;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The analysis against two independent readings of one trace: what the driver wrote (counts of
 * blocks, yields, pins, tasks) and Go's own parse ({@link GoStateTimes}: blocked time by reason,
 * every scheduler wait, every pinned episode), which must agree within 1 %.
 */
class AnalysisJudgeTest {
    @TempDir
    Path dir;

    static final int VTS = 48;
    static final int ROUNDS = 30;

    @Test
    void blockingSchedulerLatencyAndPinningAgreeWithGosParse() throws Exception {
        Path file = dir.resolve("sim.trace");
        SimulatedWorkload.write(file, VTS, ROUNDS, Duration.ofMillis(20));
        CheckedTrace.of(file); // both judges accept it
        GoStateTimes go = GoStateTimes.of(file);
        AnalysisResult r = Analysis.of(file, AnalysisOptions.defaults());

        // What the driver did, per virtual thread: rounds-1 .. 1 block or yield, l % 7 == 3 pins.
        long blocks = 0, pins = 0;
        for (int l = ROUNDS - 1; l >= 0; l--) {
            pins += l % 7 == 3 ? 1 : 0;
            blocks += l != 0 && l % 4 != 0 ? 1 : 0;
        }
        assertEquals(VTS * blocks, r.blocking().stream().mapToLong(Reason::count).sum(), "blocks driven");
        assertEquals(VTS * pins, r.pinned().count(), "pinned blocks driven");
        assertEquals(1, r.tasks().size());
        assertEquals(VTS, r.tasks().get(0).count(), "one job per virtual thread");
        assertEquals("class initializer", r.pinned().byReason().get(0).name());

        // Go's parse: blocked time by reason.
        assertEquals(go.blocked.keySet(), r.blocking().stream().map(Reason::reason).collect(java.util.stream.Collectors.toSet()));
        for (Reason row : r.blocking()) {
            long[] g = go.blocked.get(row.reason());
            assertEquals(g[0], row.count(), "blocks on " + row.reason());
            within(g[1], row.totalNanos(), 0.01, "blocked time on " + row.reason());
        }
        // Scheduler latency.
        assertEquals(go.schedWaits.size(), r.schedLatency().count(), "scheduler waits");
        within(go.schedWaits.stream().mapToLong(Long::longValue).sum(), r.schedLatency().totalNanos(), 0.01, "total wait");
        within(GoStateTimes.percentile(go.schedWaits, 50), r.schedLatency().p50Nanos(), 0.01, "p50 wait");
        within(GoStateTimes.percentile(go.schedWaits, 99), r.schedLatency().p99Nanos(), 0.01, "p99 wait");
        within(go.schedWaits.stream().mapToLong(Long::longValue).max().orElse(0), r.schedLatency().maxNanos(), 0.01, "max wait");
        // Pinning.
        assertEquals(go.syscalls.size(), r.pinned().count());
        within(go.syscalls.stream().mapToLong(Long::longValue).sum(), r.pinned().totalNanos(), 0.01, "pinned time");
        // Every thread's time is somewhere: the job tasks' split covers running, waiting and blocking.
        AnalysisResult.Split split = r.tasks().get(0).split();
        assertTrue(split.runningNanos() > 0 && split.runnableNanos() > 0 && split.pinnedNanos() > 0, split.toString());
        assertEquals(r.blocking().stream().mapToLong(Reason::totalNanos).sum(), split.blockedNanos(),
                "every block happened inside a job, so the task split holds all blocked time");
    }

    static void within(long expected, long actual, double tolerance, String what) {
        double diff = Math.abs(expected - actual);
        assertTrue(diff <= Math.max(2, tolerance * Math.abs(expected)),
                what + ": expected " + expected + " within " + tolerance * 100 + " %, got " + actual);
    }
}

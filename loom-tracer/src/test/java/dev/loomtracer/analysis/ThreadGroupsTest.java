package dev.loomtracer.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomtracer.analysis.AnalysisResult.Group;
import dev.loomtracer.analysis.AnalysisResult.Reason;
import dev.loomtracer.testing.CheckedTrace;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thread groups add up: every thread is counted in exactly one group, and the group that holds a
 * thread's running, waiting and blocked time is the group that counts it (analyze once printed
 * "platform threads: 0 threads, 732 ms running": time charged to one group, the thread counted in
 * another). And counts read as English: "1 carrier", not "1 carriers".
 */
class ThreadGroupsTest {
    @TempDir
    static Path dir;

    /** The groups' counts and times sum to the threads' totals, and no group has time but no thread. */
    static void groupsAddUp(AnalysisResult r) {
        long count = 0;
        long exec = 0;
        long sched = 0;
        long blocked = 0;
        for (Group g : r.groups()) {
            assertTrue(g.count() > 0 || (g.execNanos() == 0 && g.schedWaitNanos() == 0),
                    "group " + g.group() + " has time but no thread: " + r.groups());
            count += g.count();
            exec += g.execNanos();
            sched += g.schedWaitNanos();
            blocked += g.blocked().stream().mapToLong(Reason::totalNanos).sum();
        }
        assertEquals(r.threads().count(), count, "threads counted in the groups: " + r.groups());
        assertEquals(r.threads().execNanos(), exec, "running time in the groups: " + r.groups());
        assertEquals(r.threads().schedWaitNanos(), sched, "scheduler wait in the groups: " + r.groups());
        assertEquals(r.threads().blockedNanos(), blocked, "blocked time in the groups: " + r.groups());
    }

    @Test
    void aThreadFoundToBeAPlatformThreadLateStaysInOneGroup() throws Exception {
        // Go's fixture: goroutine 1 runs on thread 1, which the Loom reading takes for a platform
        // thread (G id = M id) only after its first interval was charged: before the fix its time
        // stayed in "(start not recorded)" with 0 threads while "platform threads" counted it.
        Path fixture = Path.of(getClass().getResource("/go-traces/golden/go122-confuse-seq-across-generations.trace").toURI());
        AnalysisResult r = Analysis.of(fixture, AnalysisOptions.defaults());
        assertTrue(r.threads().execNanos() > 0, "the fixture has running time");
        groupsAddUp(r);
    }

    @Test
    void aTraceOfTheEngineGroupsEveryThreadOnceAndSaysOneCarrier() throws Exception {
        Path file = dir.resolve("one-carrier.trace");
        SimulatedWorkload.write(file, 6, 5, Duration.ofMillis(10), 1);
        CheckedTrace.of(file);
        AnalysisResult r = Analysis.of(file, AnalysisOptions.defaults());
        groupsAddUp(r);
        Group platform = r.groups().stream().filter(g -> g.group().equals(ThreadModel.PLATFORM_GROUP)).findFirst()
                .orElseThrow(() -> new AssertionError("no platform group: " + r.groups()));
        assertEquals(2, platform.count(), "the creator and the unparker: " + r.groups());
        assertEquals(8, r.threads().count());
        assertEquals(1, r.carriers().count());
        String text = TextReport.of(r);
        assertTrue(text.startsWith("8 threads (6 virtual) on 1 carrier over "), text);
        assertTrue(text.contains("== Carriers: 1, peak run queue "), text);
        assertTrue(text.matches("(?s).*\\n  platform threads +2 threads  running .*"), text);
    }
}

package dev.loomtracer.hooks;

import dev.loomtracer.engine.TraceConfig;
import dev.loomtracer.engine.TraceStats;
import dev.loomtracer.jfr.JfrStacksVsGo;
import dev.loomtracer.testing.CheckedTrace;
import dev.loomtracer.testing.GoEvents;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What viewers read from a real workload's trace is true (issue 10): through both capture paths,
 * with and without the flight recorder, with generations of 50 ms so the workload spans several,
 * and with every stack recorded. For each trace: both judges accept it; every PC names one frame
 * in the whole trace as Go's parser reads it; the stacks of the {@code .jfr} conversion, read
 * with {@code jdk.jfr.consumer}, are the stacks Go reports for the same events.
 */
class CaptureFidelityTest {
    final Path dir = TestFiles.dir("fidelity");

    @Test
    void tracingScheduler() throws Exception {
        Path trace = dir.resolve("scheduler.trace");
        AtomicReference<Workload.Result> result = new AtomicReference<>();
        TraceStats stats;
        try (TracingScheduler s = TracingScheduler.create(2)) {
            stats = Recording.record(trace, TraceConfig.StackMode.ALL, () -> result.set(Workload.run(s.factory())));
        }
        WorkloadExpectations.assertClean(stats.inconsistentEvents(), stats.nestedEvents(), stats.lostEvents());
        assertEquals(0, stats.unstableFramePcs());
        check(trace);
    }

    @Test
    void agent() throws Exception {
        check(runUnder("agent", "stacks=all,period=50ms", false));
    }

    @Test
    void agentFlightRecorder() throws Exception {
        check(runUnder("agent-flight", "stacks=all,period=50ms,flight=60s/64MiB", false));
    }

    @Test
    void patchedJdk() throws Exception {
        check(runUnder("patched", "stacks=all,period=50ms", true));
    }

    private Path runUnder(String name, String options, boolean patched) throws Exception {
        Path trace = dir.resolve(name + ".trace");
        Path result = dir.resolve(name + ".result");
        Files.deleteIfExists(trace);
        String opts = "output=" + trace + "," + options;
        AgentJvm.Run run = patched
                ? AgentJvm.runPatched(opts, Workload.class.getName(), result.toString())
                : AgentJvm.run(opts, List.of(), Workload.class.getName(), result.toString());
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("wrote "), run.output());
        return trace;
    }

    private void check(Path trace) throws Exception {
        CheckedTrace checked = CheckedTrace.of(trace);
        assertTrue(checked.generations() >= 3, trace + ": several generations, got " + checked.generations());
        List<GoEvents.Event> go = GoEvents.read(trace);
        assertTrue(GoEvents.frameCount(go) > 100, trace + ": stacks with frames, got " + GoEvents.frameCount(go));
        assertEquals(Map.of(), GoEvents.pcsWithSeveralFrames(go), trace + ": PCs naming several frames");
        JfrStacksVsGo.Checked c = JfrStacksVsGo.convertAndCompare(trace, dir.resolve(trace.getFileName() + ".jfr"));
        assertTrue(c.withStacks() > 50, trace + ": converted events with stacks: " + c);
    }
}

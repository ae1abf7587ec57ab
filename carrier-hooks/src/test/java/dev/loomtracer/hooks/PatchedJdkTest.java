package dev.loomtracer.hooks;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Capture with no agent: java.base patched with the instrumented classes ({@code ./loomtrace run
 * --patch}). The same workload expectations as the agent path, and the monitor workload that
 * deadlocks under -XX:-DoJVMTIVirtualThreadTransitions finishes.
 */
class PatchedJdkTest {
    final Path dir = TestFiles.dir("patched");

    @Test
    void eachKindOfBlockingIsTracedWithItsReasonAndUnblocker() throws Exception {
        Path trace = dir.resolve("workload.trace");
        Path result = dir.resolve("workload.result");
        AgentJvm.Run run = AgentJvm.runPatched("output=" + trace + ",stacks=on-block", KnownBlocksWorkload.class.getName(), result.toString());
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("wrote "), run.output());
        assertFalse(run.output().contains("lost") || run.output().contains("inconsistent"), run.output());
        WorkloadExpectations.check(KnownBlocksWorkload.Result.readFrom(result), GoroutineFacts.of(trace), WorkloadExpectations.Path.AGENT);
    }

    @Test
    void monitorContentionFinishesAndTracesValid() throws Exception {
        Path trace = dir.resolve("monitor.trace");
        AgentJvm.Run run = AgentJvm.runPatched("output=" + trace, MonitorSleep.class.getName());
        assertEquals(0, run.exitCode(), run.output());
        GoroutineFacts f = GoroutineFacts.of(trace);
        long monitorBlocks = f.gs.values().stream().flatMap(g -> g.blocks.stream()).filter(b -> b.reason.equals(dev.loomtracer.hooks.core.Reasons.MONITOR)).count();
        assertTrue(monitorBlocks > 0, "monitor blocks: " + monitorBlocks);
    }
}

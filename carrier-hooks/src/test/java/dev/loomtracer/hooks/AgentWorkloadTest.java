package dev.loomtracer.hooks;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The workload in a JVM started with {@code -javaagent:...=output=FILE} on the default scheduler,
 * an unmodified program: every subject's blocks, reasons, unblockers, creation and end, pinned
 * episodes included; the trace is written at exit.
 */
class AgentWorkloadTest {
    final Path dir = TestFiles.dir("agent");

    @Test
    void eachKindOfBlockingIsTracedWithItsReasonAndUnblocker() throws Exception {
        check("off", "workload.trace", List.of(KnownBlocksWorkload.Kind.values()));
    }

    @Test
    void sameWithStacksOnBlock() throws Exception {
        check("on-block", "workload-stacks.trace", List.of(KnownBlocksWorkload.Kind.values()));
    }

    /**
     * A sleep after a sleep starts with the park permit the JDK's {@code sleepNanos} leaves set, so
     * its first park returns at once; if the sleep's time is up by then (1 ns here; 1 ms when the OS
     * deschedules the thread that long), the sleep never parks and no block is right. The
     * workload makes every sleep park, so each of the six sleeps is one block, unblocked by the
     * scheduler's timer.
     */
    @Test
    void sleepsWhoseTimeIsUpAtTheirFirstParkStillBlockOnceEach() throws Exception {
        check("off", "workload-short-sleeps.trace", List.of(KnownBlocksWorkload.Kind.SLEEP), KnownBlocksWorkload.Kind.SLEEP.name(), "1");
    }

    private void check(String stacks, String name, List<KnownBlocksWorkload.Kind> kinds, String... workloadArgs)
            throws Exception {
        Path trace = dir.resolve(name);
        Path result = dir.resolve(name + ".result");
        List<String> args = new java.util.ArrayList<>(List.of(result.toString()));
        args.addAll(List.of(workloadArgs));
        AgentJvm.Run run = AgentJvm.run("output=" + trace + ",stacks=" + stacks, List.of(),
                KnownBlocksWorkload.class.getName(), args.toArray(String[]::new));
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("wrote "), run.output());
        assertFalse(run.output().contains("lost") || run.output().contains("not instrumented"), run.output());
        GoroutineFacts f = GoroutineFacts.of(trace);
        WorkloadExpectations.check(KnownBlocksWorkload.Result.readFrom(result), f, WorkloadExpectations.Path.AGENT, kinds);
    }
}

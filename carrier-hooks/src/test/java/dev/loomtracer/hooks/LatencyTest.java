package dev.loomtracer.hooks;

import dev.loomtracer.TraceOptions;
import dev.loomtracer.TraceResult;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Runnable-to-running latency from the trace agrees with the program's own measurement, on both paths. */
class LatencyTest {
    final Path dir = TestFiles.dir("latency");

    @Test
    void tracingScheduler() throws Exception {
        Path file = dir.resolve("scheduler.trace");
        AtomicReference<List<Latency.Sample>> samples = new AtomicReference<>();
        TraceResult stats;
        try (TracingScheduler s = TracingScheduler.create(1)) {
            stats = Recording.record(file, TraceOptions.Stacks.OFF, () -> samples.set(Latency.run(s.factory())));
        }
        WorkloadExpectations.assertClean(stats.inconsistentEvents(), stats.nestedEvents(), stats.lostEvents());
        System.out.println("scheduler: " + Latency.compare(samples.get(), GoroutineFacts.of(file)));
    }

    @Test
    void agent() throws Exception {
        Path file = dir.resolve("agent.trace");
        Path out = dir.resolve("agent.samples");
        AgentJvm.Run run = AgentJvm.run("output=" + file, List.of("-Djdk.virtualThreadScheduler.parallelism=1"),
                Latency.class.getName(), out.toString());
        assertEquals(0, run.exitCode(), run.output());
        System.out.println("agent: " + Latency.compare(Latency.read(out), GoroutineFacts.of(file)));
    }
}

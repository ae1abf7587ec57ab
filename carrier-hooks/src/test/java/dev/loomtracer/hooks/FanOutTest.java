package dev.loomtracer.hooks;

import dev.loomtracer.TraceOptions;
import dev.loomtracer.TraceResult;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A 10 000-thread fan-out traced end to end on both paths; both judges accept every trace. */
class FanOutTest {
    final Path dir = TestFiles.dir("fanout");

    @Test
    void tracingScheduler() throws Exception {
        Path file = dir.resolve("scheduler.trace");
        AtomicReference<List<Long>> ids = new AtomicReference<>();
        TraceResult stats;
        try (TracingScheduler s = TracingScheduler.create()) {
            stats = Recording.record(file, TraceOptions.Stacks.OFF, () -> ids.set(FanOut.run(s.factory(), FanOut.THREADS)));
        }
        WorkloadExpectations.assertClean(stats.inconsistentEvents(), stats.nestedEvents(), stats.lostEvents());
        System.out.println("scheduler fan-out: " + FanOut.check(ids.get(), GoroutineFacts.of(file)) + ", "
                + Files.size(file) + " bytes");
    }

    @Test
    void agent() throws Exception {
        Path file = dir.resolve("agent.trace");
        Path idsFile = dir.resolve("agent.ids");
        AgentJvm.Run run = AgentJvm.run("output=" + file, List.of(), FanOut.class.getName(), idsFile.toString());
        assertEquals(0, run.exitCode(), run.output());
        System.out.println("agent fan-out: " + FanOut.check(FanOut.readIds(idsFile), GoroutineFacts.of(file)) + ", "
                + Files.size(file) + " bytes");
    }
}

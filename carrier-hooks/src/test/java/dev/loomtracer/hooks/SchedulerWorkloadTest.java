package dev.loomtracer.hooks;

import dev.loomtracer.engine.TraceConfig;
import dev.loomtracer.engine.TraceStats;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/** The workload on the tracing scheduler: every subject's blocks, reasons, unblockers, creation and end. */
class SchedulerWorkloadTest {
    final Path dir = TestFiles.dir("scheduler");

    @Test
    void eachKindOfBlockingIsTracedWithItsReasonAndUnblocker() throws Exception {
        check(TraceConfig.StackMode.OFF, "workload.trace");
    }

    @Test
    void sameWithStacksOnBlock() throws Exception {
        check(TraceConfig.StackMode.ON_BLOCK, "workload-stacks.trace");
    }

    private void check(TraceConfig.StackMode mode, String name) throws Exception {
        Path file = dir.resolve(name);
        AtomicReference<KnownBlocksWorkload.Result> result = new AtomicReference<>();
        TraceStats stats;
        try (TracingScheduler s = TracingScheduler.create(2)) {
            stats = Recording.record(file, mode, () -> result.set(KnownBlocksWorkload.run(s.factory())));
        }
        GoroutineFacts f = GoroutineFacts.of(file);
        WorkloadExpectations.check(result.get(), f, WorkloadExpectations.Path.SCHEDULER);
        WorkloadExpectations.assertClean(stats.inconsistentEvents(), stats.nestedEvents(), stats.lostEvents());
    }
}

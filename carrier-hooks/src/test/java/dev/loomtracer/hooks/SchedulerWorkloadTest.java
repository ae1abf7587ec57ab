package dev.loomtracer.hooks;

import dev.loomtracer.TraceOptions;
import dev.loomtracer.TraceResult;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/** The workload on the tracing scheduler: every subject's blocks, reasons, unblockers, creation and end. */
class SchedulerWorkloadTest {
    final Path dir = TestFiles.dir("scheduler");

    @Test
    void eachKindOfBlockingIsTracedWithItsReasonAndUnblocker() throws Exception {
        check(TraceOptions.Stacks.OFF, "workload.trace");
    }

    @Test
    void sameWithStacksOnBlock() throws Exception {
        check(TraceOptions.Stacks.ON_BLOCK, "workload-stacks.trace");
    }

    private void check(TraceOptions.Stacks mode, String name) throws Exception {
        Path file = dir.resolve(name);
        AtomicReference<KnownBlocksWorkload.Result> result = new AtomicReference<>();
        TraceResult stats;
        try (TracingScheduler s = TracingScheduler.create(2)) {
            stats = Recording.record(file, mode, () -> result.set(KnownBlocksWorkload.run(s.factory())));
        }
        GoroutineFacts f = GoroutineFacts.of(file);
        WorkloadExpectations.check(result.get(), f, WorkloadExpectations.Path.SCHEDULER);
        WorkloadExpectations.assertClean(stats.inconsistentEvents(), stats.nestedEvents(), stats.lostEvents());
    }
}

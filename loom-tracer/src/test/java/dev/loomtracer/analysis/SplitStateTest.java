package dev.loomtracer.analysis;

import static dev.loomtracer.testing.Spi.emit;
import static dev.loomtracer.testing.Spi.onNewThread;
import static dev.loomtracer.testing.Spi.runs;
import static dev.loomtracer.testing.Spi.runsToEnd;
import static dev.loomtracer.testing.Spi.tracedThread;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loomtracer.testing.Spi.Traced;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How task changes split a thread's intervals.
 *
 * <p>A task ended by another thread while its owner is blocked splits the owner's blocked interval
 * (its task changed, its state did not): the block is still one block of its whole length, and
 * the wait for a carrier after it one wait. Before intervals told pieces apart
 * ({@link Interval#continues()}), this trace counted 2 blocks.
 */
class SplitStateTest {
    @TempDir
    Path dir;

    @Test
    void aBlockSplitByATaskEndElsewhereIsOneBlock() throws Exception {
        Path file = tracedThread(dir.resolve("split.trace"), (t, vt) -> {
            runs(t, "carrier", vt, w -> w.userTaskBegin(vt, 1, 0, "job", null), w -> w.goBlock(vt, "sleep", null));
            onNewThread("ender", () -> {
                emit(t, w -> w.userTaskEnd(Thread.currentThread(), 1, null));
                emit(t, w -> w.goUnblock(vt, Thread.currentThread(), null));
            });
            runsToEnd(t, "carrier", vt);
        }).trace().file;

        AnalysisResult r = Analysis.of(file, AnalysisOptions.defaults());
        assertEquals(1, r.blocking().size(), "one reason: " + r.blocking());
        assertEquals(1, r.blocking().get(0).count(), "one block, split by the task's end: " + r.blocking());
        assertEquals(2, r.schedLatency().count(), "after its creation and after its unblock: " + r.schedLatency());
        assertEquals(r.blocking().get(0).totalNanos(), r.blocking().get(0).maxNanos(), "the block's whole length");
        assertEquals(r.threads().blockedNanos(), r.blocking().get(0).totalNanos());
    }

    /**
     * A task begun and ended on its thread while it runs splits the running interval in three:
     * before the task, the task's piece (up to the task's end, with the task's type: the model
     * must split before it forgets the ended task), after it.
     */
    @Test
    void theRunningPieceUpToATasksEndIsTheTasks() throws Exception {
        Traced<Thread> run = tracedThread(dir.resolve("pieces.trace"), (t, vt) -> runs(t, "carrier", vt,
                w -> w.userTaskBegin(vt, 7, 0, "job", null), w -> w.userTaskEnd(vt, 7, null), w -> w.goDestroy(vt)));
        long vt = run.value().threadId();

        List<Interval> running = new ArrayList<>();
        Analysis.of(run.trace().file, AnalysisOptions.defaults(), new ModelListener() {
            @Override
            public void interval(Interval i) {
                if (i.thread().id() == vt && i.state() == ThreadState.RUNNING) {
                    running.add(i);
                }
            }
        });
        assertEquals(List.of("", "job", ""), running.stream().map(Interval::taskType).toList(), "pieces: " + running);
        assertEquals(List.of(Interval.NONE, 7L, Interval.NONE), running.stream().map(Interval::task).toList());
        assertEquals(List.of(true, true, false), running.stream().map(Interval::continues).toList());
    }
}

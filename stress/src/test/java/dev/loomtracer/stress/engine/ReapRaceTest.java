package dev.loomtracer.stress.engine;

import dev.loomtracer.TraceOptions;
import dev.loomtracer.engine.StressSeams;
import dev.loomtracer.testing.Spi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static dev.loomtracer.testing.Spi.emit;

/**
 * Found by the start/stop stress run (flight recorder cycle 2976 of the first long run, rejected by
 * both judges: "found goroutine status for new goroutine after the first generation"): the
 * advancer's reaper and a writer both end the same goroutine.
 *
 * <p>The reaper ends, in generation g, every G whose thread is TERMINATED and that no event told
 * in g. The capture layer tells a virtual thread's end after its run task returns to the carrier,
 * which is after the thread's state has become TERMINATED. If a generation boundary falls in
 * between, a writer in generation g+1 tells the end (GoStatus, GoStart, GoDestroy) of a G that the
 * reaper has also destroyed in generation g: Go's parser sees a status for an unknown G after the
 * first generation, and the whole trace is invalid. This test makes that interleaving
 * deterministic with the advancer's steps ({@code Advancer.Steps}, through
 * {@link StressSeams#advance}): the writer tells the end right after the advancer published g+1,
 * before the reaper runs.
 */
class ReapRaceTest {
    @TempDir
    Path dir;

    @Test
    void anEndToldInTheNextGenerationWhileTheReaperEndsTheSameGoroutineKeepsTheTraceValid() throws Exception {
        Thread vt = Thread.ofVirtual().unstarted(() -> { });
        // The trace is judged by the project's validator and Go's parser: both rejected it before.
        Spi.traced(dir.resolve("reap-race.trace"), TraceOptions.defaults().generationPeriod(Duration.ofHours(1))
                .generationBytes(64L << 20), t -> {
            // Generation 1: the virtual thread is created (told).
            emit(t, w -> w.goCreate(Thread.currentThread(), vt, false, null, null));
            t.advanceNow();
            // It runs and ends; the capture layer has not told the end yet.
            vt.start();
            vt.join();
            // End of generation 2: right after generation 3 is published, a carrier tells the end.
            StressSeams.advance(t, () -> Spi.onNewThread("carrier", () -> emit(t, w -> w.goDestroy(vt))), null);
        });
    }
}

package dev.loomtracer.analysis;

import static dev.loomtracer.testing.Spi.emit;

import dev.loomtracer.TraceOptions;
import dev.loomtracer.TraceResult;
import dev.loomtracer.engine.Tracer;
import dev.loomtracer.testing.SimulatedScheduler;
import dev.loomtracer.testing.Spi;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Writes a trace through the engine's capture SPI the way a scheduler would
 * ({@link SimulatedScheduler}, as the engine's SimulatedSchedulingTest does): a platform creator
 * makes {@code vts} virtual-thread objects, two (or {@code carriers}) platform "carriers" run them
 * round after round, a platform unparker unblocks them. Each virtual thread runs one task "job" with a region "step"; each round ends in a block (reasons cycle through
 * {@link #REASONS}), a yield, or a pinned block; the last round destroys it.
 *
 * <p>Invariant: the trace is complete (no lost or inconsistent events, checked) and what it
 * contains is exactly what was driven; the wall times are the engine's clock, not chosen.
 */
final class SimulatedWorkload {
    static final String[] REASONS = {"sleep", dev.loomtracer.format.BlockReasons.parkOn("ReentrantLock$NonfairSync"), dev.loomtracer.format.BlockReasons.QUEUE_TAKE};

    private SimulatedWorkload() {}

    /** Writes the trace to {@code file} with two carriers; returns the engine's stats. */
    static TraceResult write(Path file, int vts, int rounds, Duration generation) throws Exception {
        return write(file, vts, rounds, generation, 2);
    }

    /** Writes the trace to {@code file} with {@code carrierCount} carriers; returns the engine's stats. */
    static TraceResult write(Path file, int vts, int rounds, Duration generation, int carrierCount) throws Exception {
        Tracer t = Tracer.newInstance();
        t.start(TraceOptions.defaults().generationPeriod(generation));
        Thread pump = Spi.pumpTo(t, file, Thread.ofPlatform().name("sim-reader"));
        SimulatedScheduler.run(t, "sim-", vts, rounds, carrierCount, (vt, index, l) -> {
            long task = index + 1L;
            if (l == rounds - 1) {
                emit(t, w -> w.userTaskBegin(vt, task, 0, "job", null));
                emit(t, w -> w.userRegion(vt, true, task, "step", null));
            }
            if (l % 7 == 3) {
                emit(t, w -> w.logOnCurrent(vt, ThreadModel.PINNED_LOG_KEY, "class initializer"));
                emit(t, w -> w.syscallBegin(vt, null));
                emit(t, w -> w.syscallEnd(vt));
            }
            if (l == 0) {
                emit(t, w -> w.userRegion(vt, false, task, "step", null));
                emit(t, w -> w.userTaskEnd(vt, task, null));
                emit(t, w -> w.goDestroy(vt));
                return SimulatedScheduler.Outcome.DESTROYED;
            } else if (l % 4 == 0) {
                emit(t, w -> w.goStop(vt, "yield", null));
                return SimulatedScheduler.Outcome.YIELDED;
            }
            String reason = REASONS[l % REASONS.length];
            emit(t, w -> w.goBlock(vt, reason, null));
            return SimulatedScheduler.Outcome.BLOCKED;
        });
        TraceResult stats = t.stop();
        pump.join();
        if (stats.lostEvents() != 0 || stats.inconsistentEvents() != 0 || stats.nestedEvents() != 0) {
            throw new AssertionError("the simulated trace is incomplete: " + stats);
        }
        return stats;
    }
}

package dev.loomtracer.jfr;

import dev.loomtracer.TraceOptions;
import dev.loomtracer.engine.CapturedStack;
import dev.loomtracer.testing.CheckedTrace;
import dev.loomtracer.testing.GoEvents;
import dev.loomtracer.testing.Spi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static dev.loomtracer.testing.Spi.emit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stack of every converted event is the stack Go's parser reports for its trace event
 * ({@link JfrStacksVsGo}): on the Go-made fixtures, on the simulation, and on parks that end in a
 * later generation than they began, whose stack ids mean other stacks there.
 */
class StackFidelityTest {
    @TempDir
    Path dir;

    /**
     * G1 parks in generation 1 with stack X (id 1 there); in generation 2, G2 parks with stack Y
     * (id 1 there too) and is woken; then G1 is woken. G1's park episode is written in generation 2
     * and must still carry X.
     */
    @Test
    void aParkEndingInALaterGenerationKeepsItsOwnStack() throws Exception {
        Path trace = dir.resolve("across.trace");
        CapturedStack x = SimulatedTrace.stack("java.util.concurrent.CountDownLatch.await", "demo.Main.waitForStart");
        CapturedStack y = SimulatedTrace.stack("java.lang.Object.wait0", "demo.Stats.record");
        Thread g1 = Thread.ofVirtual().unstarted(() -> { });
        Thread g2 = Thread.ofVirtual().unstarted(() -> { });
        Spi.Traced run = Spi.traced(trace, TraceOptions.defaults().generationPeriod(Duration.ofHours(1))
                .generationBytes(1 << 20)
                .stacks(TraceOptions.Stacks.ON_BLOCK), t -> {
            Thread carrier = Thread.ofPlatform().name("carrier").start(() -> {
                // Created by the scheduler on this carrier: a thread that emits as itself is a
                // platform thread, never also a carrier (docs/FORMAT.md, "Names and platform threads").
                emit(t, w -> w.goCreate(null, g1, false, null, null));
                emit(t, w -> w.goCreate(null, g2, false, null, null));
                emit(t, w -> w.goStart(g1));
                emit(t, w -> w.goBlock(g1, "park CountDownLatch$Sync", x));
                t.advanceNow();
                emit(t, w -> w.goStart(g2));
                emit(t, w -> w.goBlock(g2, "Object.wait", y));
                emit(t, w -> w.goUnblock(g2, null, null));
                emit(t, w -> w.goUnblock(g1, null, null));
                emit(t, w -> w.goStart(g1));
                emit(t, w -> w.goDestroy(g1));
                emit(t, w -> w.goStart(g2));
                emit(t, w -> w.goDestroy(g2));
            });
            carrier.join();
        });
        assertTrue(run.trace().generations() >= 2);
        JfrStacksVsGo.Checked c = JfrStacksVsGo.convertAndCompare(trace, dir.resolve("across.jfr"));
        assertEquals(2, c.withStacks(), "both parks carry a stack: " + c);
    }

    @Test
    void theSimulationsStacksAreGosStacks() throws Exception {
        Path trace = dir.resolve("sim.trace");
        SimulatedTrace.write(trace, 8, 7);
        CheckedTrace.of(trace);
        JfrStacksVsGo.Checked c = JfrStacksVsGo.convertAndCompare(trace, dir.resolve("sim.jfr"));
        assertTrue(c.withStacks() > 0, c.toString());
        assertEquals(Map.of(), GoEvents.pcsWithSeveralFrames(GoEvents.read(trace)));
    }

    @ParameterizedTest
    @MethodSource("dev.loomtracer.jfr.GoFixturesTest#validFixtures")
    void theGoFixturesStacksAreGosStacks(Path trace) throws Exception {
        JfrStacksVsGo.compare(trace, convert(trace));
    }

    private Path convert(Path trace) throws Exception {
        Path jfr = dir.resolve(trace.getFileName() + ".jfr");
        dev.loomtracer.jfr.convert.JfrConverter.convert(trace, jfr, dev.loomtracer.jfr.convert.JfrConverter.Options.defaults());
        return jfr;
    }
}

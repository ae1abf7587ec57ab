package dev.loomtracer.engine;

import dev.loomtracer.TraceOptions;
import dev.loomtracer.TraceResult;
import dev.loomtracer.parse.Frame;
import dev.loomtracer.parse.ParsedStack;
import dev.loomtracer.parse.TraceEvent;
import dev.loomtracer.testing.CheckedTrace;
import dev.loomtracer.testing.GoEvents;
import dev.loomtracer.testing.Spi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A frame's PC means one frame for the whole trace (docs/FORMAT.md, "PCs"): stacks met in a
 * different order in each generation, read back by Go's parser and by ours.
 */
class StablePcsTest {
    @TempDir
    Path dir;

    private static final CapturedStack.Frame A = new CapturedStack.Frame("app.Main.main", "app/Main.java", 10);
    private static final CapturedStack.Frame B = new CapturedStack.Frame("app.Service.call", "app/Service.java", 20);
    private static final CapturedStack.Frame C = new CapturedStack.Frame("app.Client.read", "app/Client.java", 30);

    @Test
    void aPcNamesOneFrameAndAFrameHasOnePcAcrossGenerations() throws Exception {
        Tracer t = Tracer.newInstance();
        Path file = dir.resolve("pcs.trace");
        t.start(TraceOptions.defaults().generationPeriod(Duration.ofHours(1))
                .generationBytes(1 << 20)
                .stacks(TraceOptions.Stacks.ON_BLOCK));
        Thread pump = Spi.pumpTo(t, file);
        // Each generation meets a frame first that the one before met later (or never).
        List<List<CapturedStack>> generations = List.of(
                List.of(CapturedStack.ofFrames(B, A)),
                List.of(CapturedStack.ofFrames(C, B, A)),
                List.of(CapturedStack.ofFrames(C), CapturedStack.ofFrames(A)));
        for (List<CapturedStack> gen : generations) {
            for (CapturedStack s : gen) {
                TraceWriter w = t.acquire();
                try {
                    w.userLog(Thread.currentThread(), 0, "where", "here", s);
                } finally {
                    t.release(w);
                }
            }
            t.advanceNow();
        }
        TraceResult stats = t.stop();
        pump.join();
        assertEquals(0, stats.unstableFramePcs());

        CheckedTrace trace = CheckedTrace.of(file);
        assertTrue(trace.generations() >= 3, "several generations: " + trace.generations());
        // Ours: every PC one frame, every frame one PC.
        Map<Long, Set<String>> framesByPc = new HashMap<>();
        Map<String, Set<Long>> pcsByFrame = new HashMap<>();
        for (TraceEvent e : trace.events) {
            ParsedStack s = e.stack();
            if (s == null) {
                continue;
            }
            for (Frame f : s.frames()) {
                String where = f.function() + " " + f.file() + ":" + f.line();
                framesByPc.computeIfAbsent(f.pc(), k -> new TreeSet<>()).add(where);
                pcsByFrame.computeIfAbsent(where, k -> new TreeSet<>()).add(f.pc());
            }
        }
        assertEquals(3, pcsByFrame.size(), pcsByFrame.toString());
        pcsByFrame.forEach((f, pcs) -> assertEquals(1, pcs.size(), f + " has PCs " + pcs));
        framesByPc.forEach((pc, fs) -> assertEquals(1, fs.size(), "PC 0x" + Long.toHexString(pc) + " names " + fs));
        // Go's: the same, read independently.
        List<GoEvents.Event> go = GoEvents.read(file);
        assertEquals(Map.of(), GoEvents.pcsWithSeveralFrames(go));
        assertEquals(7, GoEvents.frameCount(go), "the 7 frames of the 5 logged stacks");
        Map<String, Set<Long>> goPcsByFrame = new HashMap<>();
        go.forEach(e -> e.stack().forEach(f -> goPcsByFrame.computeIfAbsent(f.where(), k -> new TreeSet<>()).add(f.pc())));
        assertEquals(pcsByFrame, goPcsByFrame);
    }
}

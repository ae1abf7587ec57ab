package dev.loomtracer.stress.engine;

import dev.loomtracer.TraceOptions;
import dev.loomtracer.engine.CallerStacks;
import dev.loomtracer.engine.CapturedStack;
import dev.loomtracer.engine.StressSeams;
import dev.loomtracer.engine.Tracer;
import dev.loomtracer.hooks.TracingScheduler;
import dev.loomtracer.testing.CheckedTrace;
import dev.loomtracer.testing.Spi;
import jdk.internal.vm.Continuation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Protocol 4, pin as little as possible (Go CL 577377): a virtual thread that ends a generation
 * with many thousands of distinct stacks and strings (a flight-recorder snapshot or a stop on a
 * virtual thread does that) leaves its carrier to other virtual threads while it dumps the
 * tables, and what it does pinned, under the trace lock, does not grow with the tables.
 *
 * <p>Shown by events, not by time: on a one-carrier scheduler another virtual thread counts its
 * turns; the advance's preemption points ({@code Advancer.Steps.preemptionPoint}, after each
 * batch it builds, observed through {@link StressSeams#advance}) record that count before they
 * yield. Preemptible: the count has grown between every two batches. The lock's checking mode
 * ({@code TraceLockCheck}, read through {@link StressSeams#lockReport}) counts the buffers linked
 * or unlinked in each hold of the trace lock: at most 2 (a reader's release and take), for a
 * small table and for one ten times larger. Broken controls: the same advance run pinned (the
 * other virtual thread never runs until the dump is over), and the dump's batches queued one by
 * one in a single hold (the work of that hold is the number of batches); the same checks fail on
 * them.
 */
class DumpPreemptionTest {
    @TempDir
    Path dir;

    /** What one advance on a one-carrier scheduler showed. */
    private record Dump(int stacks, List<Long> otherTurnsAtBatches, StressSeams.LockReport locks, long advanceNanos) {}

    private Dump dumpOnOneCarrier(int stacks, boolean pinned) throws Exception {
        Tracer t = Tracer.newInstance();
        Path file = dir.resolve("dump-" + stacks + (pinned ? "-pinned" : "") + ".trace");
        t.start(TraceOptions.defaults().generationPeriod(Duration.ofHours(1))
                .generationBytes(64L << 20)
                .stacks(TraceOptions.Stacks.ON_BLOCK));
        Thread pump = Spi.pumpTo(t, file);
        // One generation with `stacks` distinct stacks of 4 distinct frames and as many distinct log values.
        for (int i = 0; i < stacks; i++) {
            List<CapturedStack.Frame> frames = new ArrayList<>();
            for (int j = 0; j < 4; j++) {
                frames.add(new CapturedStack.Frame("dump.Caller" + i + ".f" + j, "dump/File" + (i % 64) + ".java", j + 1));
            }
            CapturedStack st = CallerStacks.of(frames);
            String value = "entry " + i;
            Spi.emit(t, w -> w.userLog(Thread.currentThread(), 0, "dump", value, st));
        }
        int[] tables = StressSeams.generationTables(t);
        assertTrue(tables[0] == stacks && tables[1] > stacks,
                "the generation holds " + tables[0] + " stacks and " + tables[1] + " strings");

        AtomicLong otherTurns = new AtomicLong();
        AtomicBoolean dumped = new AtomicBoolean();
        List<Long> atBatches = new ArrayList<>(); // written by the dumper only, read after join
        long[] nanos = new long[1];
        StressSeams.resetLockCheck();
        try (TracingScheduler s = TracingScheduler.create(1)) {
            Thread other = s.builder().start(() -> {
                while (!dumped.get()) {
                    otherTurns.incrementAndGet();
                    Thread.yield();
                }
            });
            Thread dumper = s.builder().start(() -> {
                if (pinned) {
                    Continuation.pin(); // BROKEN: the whole dump on the "system stack"
                }
                try {
                    long t0 = System.nanoTime();
                    StressSeams.advance(t, null, () -> atBatches.add(otherTurns.get()));
                    nanos[0] = System.nanoTime() - t0;
                } finally {
                    if (pinned) {
                        Continuation.unpin();
                    }
                    dumped.set(true);
                }
            });
            dumper.join();
            other.join();
        }
        StressSeams.LockReport locks = StressSeams.lockReport();
        t.stop();
        pump.join();
        CheckedTrace trace = CheckedTrace.of(file);
        assertEquals(stacks, trace.count(e -> "dump".equals(e.name())), "every log of the large generation is in the trace");
        Dump d = new Dump(stacks, atBatches, locks, nanos[0]);
        System.out.printf("%s dump of %,d stacks (%,d frames; %,d strings: a log value each, 4 functions each, one key and 64 files): %d batches (preemption points), other thread's turns %d -> %d;"
                        + " trace lock: %d holds, at most %d buffers moved in one, longest hold %.1f us, all holds %.1f us; advance %.1f ms%n",
                pinned ? "PINNED" : "unpinned", stacks, 4 * stacks, 5 * stacks + 65, atBatches.size(), atBatches.getFirst(),
                atBatches.getLast(), locks.holds(), locks.maxWorkPerHold(), locks.maxHoldNanos() / 1e3,
                locks.totalHoldNanos() / 1e3, nanos[0] / 1e6);
        assertTrue(locks.violations().isEmpty(), "trace lock violations: " + locks.violations());
        return d;
    }

    /** Preemptible: the other virtual thread ran between every two batches of the dump. */
    private static void assertPreemptible(Dump d) {
        List<Long> turns = d.otherTurnsAtBatches();
        for (int i = 1; i < turns.size(); i++) {
            assertTrue(turns.get(i) > turns.get(i - 1), "the dump of " + d.stacks() + " stacks built batches " + (i - 1) + " and " + i
                    + " without the other virtual thread running in between (its turns: " + turns + ")");
        }
    }

    /** Brief: no hold of the trace lock moved more than 2 buffers (a reader's release and take). */
    private static void assertBriefHolds(StressSeams.LockReport locks) {
        assertTrue(locks.maxWorkPerHold() <= 2, "a hold of the trace lock moved " + locks.maxWorkPerHold() + " buffers (bound: 2)");
    }

    @Test
    void aLargeDumpLeavesTheCarrierToOthersAndHoldsTheLockForAFixedAmountOfWork() throws Exception {
        Dump small = dumpOnOneCarrier(1_000, false);
        Dump large = dumpOnOneCarrier(10_000, false);
        assertPreemptible(small);
        assertPreemptible(large);
        assertBriefHolds(small.locks());
        assertBriefHolds(large.locks());
        // The work grows with the tables, the work per hold does not.
        assertTrue(large.otherTurnsAtBatches().size() >= 4 * small.otherTurnsAtBatches().size(),
                "batches: " + small.otherTurnsAtBatches().size() + " for 1,000 stacks, " + large.otherTurnsAtBatches().size() + " for 10,000");
    }

    @Test
    void brokenControlTheSameDumpPinnedHoldsTheCarrierForTheWholeDump() throws Exception {
        Dump pinned = dumpOnOneCarrier(10_000, true);
        List<Long> turns = pinned.otherTurnsAtBatches();
        assertTrue(turns.size() > 20, "batches: " + turns.size());
        assertEquals(turns.getFirst(), turns.getLast(), "pinned, no other virtual thread may run during the dump: " + turns);
        assertThrows(AssertionError.class, () -> assertPreemptible(pinned));
    }

    @Test
    void brokenControlQueueingADumpBufferByBufferUnderOneHoldGrowsWithTheTable() {
        Tracer t = Tracer.newInstance();
        List<Object> out = StressSeams.dumpOfStrings(50_000);
        StressSeams.resetLockCheck();
        // BROKEN: the dump's batches queued one by one in one hold (what Advancer.publish did before)
        StressSeams.holdingTraceLock(t, () -> {
            for (Object b : out) {
                StressSeams.enqueueFull(t, b);
            }
        });
        StressSeams.LockReport locks = StressSeams.lockReport();
        assertTrue(out.size() > 2, "batches: " + out.size());
        assertEquals(out.size(), locks.maxWorkPerHold());
        assertThrows(AssertionError.class, () -> assertBriefHolds(locks));
    }
}

package dev.loomtracer.stress.engine;

import dev.loomtracer.FlightRecorder;
import dev.loomtracer.Region;
import dev.loomtracer.Task;
import dev.loomtracer.TraceOptions;
import dev.loomtracer.engine.CallerStacks;
import dev.loomtracer.engine.CapturedStack;
import dev.loomtracer.engine.StressSeams;
import dev.loomtracer.engine.TraceWriter;
import dev.loomtracer.engine.Tracer;
import dev.loomtracer.hooks.TracingScheduler;
import dev.loomtracer.jfr.imports.JfrImport;
import dev.loomtracer.testing.CheckedTrace;
import dev.loomtracer.testing.Spi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static dev.loomtracer.testing.Spi.emit;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Protocol 3, the trace lock is not reentrant and nothing that needs it runs under it (Go CL
 * 496296), checked by the lock's checking mode ({@code TraceLockCheck}, on in every test JVM of
 * the build, read through {@link StressSeams}) over every way into the engine: the capture layer (the tracing scheduler's mounts,
 * blocks, yields, unblocks, creations and ends; the agent's pinned blocks and logs, told here
 * directly), the annotations (tasks, regions, logs), the JFR import (stream, recording, merge),
 * the flight recorder's snapshot from a virtual thread, a reader on a virtual thread, and a
 * trace that runs out of buffer memory. No carrier takes a trace lock while it holds one, and
 * the work Go moved out from under the lock (interning that allocates, stack capture, the table
 * dumps, a sink's I/O, reading JFR data) never runs under it.
 *
 * <p>Broken controls: an entry point called with the lock held re-enters, and the check throws
 * (without it the lock would spin on itself forever); interning, stack capture and I/O done under
 * the lock are each recorded.
 */
class TraceLockNotReentrantTest {
    @TempDir
    Path dir;

    /** The engine methods that take the trace lock and that the runs below always reach. */
    private static final Set<String> LOCK_SITES = Set.of("Tracer.start", "Tracer.stop", "Tracer.takeBuffer",
            "Tracer.flushAndTake", "Advancer.publish", "Advancer.shutdown", "Advancer.endWithLoss", "TraceReader.readLoop");
    /** The work that must stay outside the lock, each checked at least once below. */
    private static final Set<String> LOCK_FREE_WORK = Set.of("interning a string", "interning a stack", "capturing a stack",
            "dumping a generation's stack and string tables", "a trace sink's I/O", "a flight-recorder snapshot's I/O",
            "reading JFR data to import");

    private static TraceOptions options() {
        return TraceOptions.defaults().generationPeriod(Duration.ofMillis(50)).stacks(TraceOptions.Stacks.ON_BLOCK);
    }

    /** Virtual threads on the tracing scheduler: tasks, regions, logs, parks, yields, a contended monitor. */
    private static void workload() throws InterruptedException {
        Object monitor = new Object();
        long[] shared = new long[1];
        try (TracingScheduler s = TracingScheduler.create(2)) {
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                int id = i;
                threads.add(s.builder().start(() -> {
                    for (int k = 0; k < 200; k++) {
                        try (Task task = Task.begin("task " + id); Region r = task.region("step")) {
                            task.log("iteration", "thread " + id + " iteration " + k); // a new string each time
                            LockSupport.parkNanos(10_000);
                            synchronized (monitor) {
                                shared[0]++;
                            }
                            Thread.yield();
                        }
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
        }
    }

    /**
     * Every capture-layer operation on the engine (as the agent tells them, from a carrier),
     * read by a virtual thread; then a stalled reader makes the trace run out of buffer memory,
     * so it ends with the loss generation.
     */
    private void everyOperationThenALoss() throws Exception {
        Tracer t = Tracer.newInstance();
        t.start(TraceOptions.defaults().generationPeriod(Duration.ofHours(1))
                .generationBytes(64L << 10)
                .bufferMemory(256L << 10)
                .stacks(TraceOptions.Stacks.ON_BLOCK));
        CapturedStack stack = CallerStacks.capture(0);
        Thread child = Thread.ofVirtual().unstarted(() -> { });
        Thread carrier = Thread.ofPlatform().start(() -> {
            for (int round = 0; round < 2; round++) {
                emit(t, TraceWriter::procStart);
                if (round == 0) {
                    emit(t, w -> w.goCreate(null, child, false, stack, stack));
                }
                emit(t, w -> w.goStart(child));
                emit(t, w -> w.syscallBegin(child, stack));
                emit(t, w -> w.syscallEnd(child));
                emit(t, w -> w.logOnCurrent(child, "pinned", "why"));
                emit(t, w -> w.goBlock(child, "park", stack));
                emit(t, w -> w.goUnblock(child, null, stack));
                emit(t, w -> w.goStart(child));
                emit(t, w -> w.goStop(child, "yield", stack));
                emit(t, w -> w.goStart(child));
                emit(t, w -> w.userTaskBegin(child, 7, 0, "task", stack));
                emit(t, w -> w.userRegion(child, true, 7, "region", stack));
                emit(t, w -> w.userLog(child, 7, "key", "value " + child, stack));
                emit(t, w -> w.userRegion(child, false, 7, "region", stack));
                emit(t, w -> w.userTaskEnd(child, 7, stack));
                if (round == 1) {
                    emit(t, w -> w.goDestroy(child));
                }
                emit(t, TraceWriter::procStop);
                t.advanceNow(); // nobody reads yet: the generations queue up
            }
            // Nobody reads: 256 KiB of buffers run out and the trace records the loss.
            for (int i = 0; i < 1_000_000 && t.stats().lostEvents() == 0; i++) {
                emit(t, w -> w.userLog(Thread.currentThread(), 0, "fill", "x", null));
            }
        });
        carrier.join();
        assertTrue(t.stats().lostEvents() > 0, "the stalled reader made the trace lose events");
        t.advanceNow(); // ends the trace with the loss generation
        Path file = dir.resolve("every-operation.trace");
        Thread reader = Spi.pumpTo(t, file, Thread.ofVirtual());
        t.stop();
        reader.join();
        CheckedTrace trace = CheckedTrace.of(file);
        assertEquals(1, trace.count(e -> StressSeams.LOSS_KEY.equals(e.name())), "the trace ends with the loss recorded");
        assertEquals(2, trace.count(e -> "pinned".equals(e.name())), "both rounds' generations are in the trace");
    }

    @Test
    void noWayIntoTheEngineTakesTheLockWhileHoldingItOrRunsLockFreeWorkUnderIt() throws Exception {
        assertTrue(StressSeams.lockCheckOn(), "the trace lock's checking mode is off: run the JVM with -Dloomtracer.checkTraceLock=true"
                + " (the root pom's surefire argLine sets it)");
        StressSeams.resetLockCheck();

        // The JFR import: a streamed trace and a JFR recording, the capture layer and the annotations, then the merge.
        Path imported = dir.resolve("import.trace");
        JfrImport rec = JfrImport.start(imported, options(), Duration.ofMillis(10));
        workload();
        rec.stop();
        CheckedTrace.of(imported);

        // The flight recorder, snapshot taken by a virtual thread.
        FlightRecorder fr = FlightRecorder.start(Duration.ZERO, 16L << 20, options());
        Path snapshot = dir.resolve("snapshot.trace");
        AtomicReference<Throwable> failed = new AtomicReference<>();
        try {
            workload();
            Thread.ofVirtual().start(() -> {
                try (OutputStream out = Files.newOutputStream(snapshot)) {
                    fr.writeTo(out);
                } catch (Throwable e) {
                    failed.set(e);
                }
            }).join();
        } finally {
            fr.stop();
        }
        assertEquals(null, failed.get());
        CheckedTrace.of(snapshot);

        everyOperationThenALoss();

        StressSeams.LockReport r = StressSeams.lockReport();
        System.out.println("trace lock: " + r.holds() + " holds at " + new TreeSet<>(r.sites()) + "; lock-free work checked: "
                + r.outside() + "; at most " + r.maxWorkPerHold() + " buffers moved in one hold, longest hold "
                + r.maxHoldNanos() / 1000 + " us");
        assertEquals(List.of(), r.violations());
        assertTrue(r.sites().containsAll(LOCK_SITES), "lock sites reached: " + r.sites() + ", expected at least " + LOCK_SITES);
        assertTrue(r.outside().keySet().containsAll(LOCK_FREE_WORK),
                "lock-free work checked: " + r.outside().keySet() + ", expected " + LOCK_FREE_WORK);
    }

    @Test
    void brokenControlAnEntryPointCalledUnderTheLockReEntersAndIsCaught() throws Exception {
        assertTrue(StressSeams.lockCheckOn(), "the trace lock's checking mode is off");
        for (boolean virtual : new boolean[] {false, true}) {
            Tracer t = Tracer.newInstance();
            t.start(TraceOptions.defaults().generationPeriod(Duration.ofHours(1))
                    .generationBytes(64L << 10)
                    .bufferMemory(1L << 20));
            Path file = dir.resolve("reentry-" + virtual + ".trace");
            Thread reader = Spi.pumpTo(t, file);
            StressSeams.resetLockCheck();
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            // BROKEN: a writer's operation called with the trace lock held
            Runnable broken = () -> StressSeams.holdingTraceLock(t, () -> {
                try {
                    TraceWriter w = t.acquire();
                    try {
                        // This M's first event of the generation takes a buffer: Tracer.takeBuffer takes the lock.
                        w.userLog(Thread.currentThread(), 0, "under", "the lock", null);
                    } finally {
                        t.release(w);
                    }
                } catch (Throwable e) {
                    thrown.set(e);
                }
            });
            (virtual ? Thread.ofVirtual().start(broken) : Thread.ofPlatform().start(broken)).join();
            StressSeams.LockReport r = StressSeams.lockReport();
            assertTrue(thrown.get() instanceof AssertionError && thrown.get().getMessage().contains("re-acquired by its holder"),
                    "the re-entry must be caught, got " + thrown.get());
            assertEquals(1, r.violations().size(), "violations: " + r.violations());
            assertTrue(r.violations().getFirst().contains("Tracer.takeBuffer"), r.violations().getFirst());
            // The tracer is intact: the same operation outside the lock is written.
            Thread.ofPlatform().start(() -> emit(t, w -> w.userLog(Thread.currentThread(), 0, "outside", "the lock", null))).join();
            t.stop();
            reader.join();
            // The program's log (the engine adds its own: a clock anchor, docs/FORMAT.md "Wall clock").
            assertEquals(1, CheckedTrace.of(file).count(e -> "outside".equals(e.name())));
        }
        StressSeams.resetLockCheck();
    }

    @Test
    void brokenControlLockFreeWorkDoneUnderTheLockIsCaught() {
        assertTrue(StressSeams.lockCheckOn(), "the trace lock's checking mode is off");
        Tracer t = Tracer.newInstance();
        Runnable work = StressSeams.lockFreeWork(t);
        StressSeams.resetLockCheck();
        work.run();
        assertEquals(List.of(), StressSeams.lockReport().violations(), "the same work outside the lock");
        StressSeams.holdingTraceLock(t, work); // BROKEN: interning, stack capture and a sink's I/O under the lock
        List<String> v = StressSeams.lockReport().violations();
        assertEquals(4, v.size(), "violations: " + v);
        for (String what : List.of("interning a string", "capturing a stack", "interning a stack", "a trace sink's I/O")) {
            assertTrue(v.stream().anyMatch(x -> x.startsWith(what + " under the trace lock")), what + " not caught: " + v);
        }
        StressSeams.resetLockCheck();
    }
}

package dev.loomtracer.engine;

import dev.loomtracer.TraceOptions;
import dev.loomtracer.TraceResult;
import dev.loomtracer.format.EventType;
import dev.loomtracer.parse.TraceEvent;
import dev.loomtracer.testing.CheckedTrace;
import dev.loomtracer.testing.SimulatedScheduler;
import dev.loomtracer.testing.Spi.Traced;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.loomtracer.testing.Spi.emit;
import static dev.loomtracer.testing.Spi.traced;
import static dev.loomtracer.testing.Spi.tracedValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drives the capture SPI the way a scheduler would, with platform threads as carriers running
 * (unstarted) virtual-thread objects, across many generations, and checks that the trace tells
 * exactly the story that was driven, to both judges.
 */
class SimulatedSchedulingTest {
    @TempDir
    Path dir;

    @Test
    void carriersRunningVirtualThreadsTellTheDrivenStory() throws Exception {
        int vts = 64;
        int rounds = 40;
        // A platform "creator" makes every virtual thread; two carriers run them: start, block
        // (odd rounds: then the unparker unblocks) or yield, a pinned episode every 5th round,
        // destroy at the end.
        Traced<SimulatedScheduler.Run> traced = tracedValue(dir.resolve("sim.trace"),
                TraceOptions.defaults().generationPeriod(Duration.ofMillis(20)).generationBytes(1 << 20),
                t -> SimulatedScheduler.run(t, "", vts, rounds, 2, (vt, index, left) -> {
                    if (left % 5 == 0) {
                        emit(t, w -> w.logOnCurrent(vt, "pinned", "class initializer"));
                        emit(t, w -> w.syscallBegin(vt, null));
                        emit(t, w -> w.syscallEnd(vt));
                    }
                    if (left == 0) {
                        emit(t, w -> w.goDestroy(vt));
                        return SimulatedScheduler.Outcome.DESTROYED;
                    } else if (left % 2 == 1) {
                        emit(t, w -> w.goBlock(vt, "park java.util.concurrent.locks.ReentrantLock", null));
                        return SimulatedScheduler.Outcome.BLOCKED;
                    }
                    emit(t, w -> w.goStop(vt, "yield", null));
                    return SimulatedScheduler.Outcome.YIELDED;
                }));
        SimulatedScheduler.Run run = traced.value();
        Thread creator = run.creator();
        Thread unparker = run.unparker();
        TraceResult stats = traced.stats();
        assertEquals(0, stats.lostEvents());
        assertEquals(0, stats.inconsistentEvents(), "a correct driver never needs repair");
        assertEquals(0, stats.nestedEvents());
        CheckedTrace trace = traced.trace();
        assertTrue(trace.generations() >= 2, "the run spans generations (one switch is forced): " + trace.generations());

        Map<Long, int[]> perG = new HashMap<>(); // create, start, block, stop, unblock, syscall, destroy
        long unparkerId = unparker.threadId();
        java.util.Set<Long> vtIds = new java.util.HashSet<>();
        run.virtualThreads().forEach(v -> vtIds.add(v.threadId()));
        long creatorId = creator.threadId();
        for (TraceEvent e : trace.events) {
            switch (e.type()) {
                case EventType.GO_CREATE -> {
                    // Platform threads first seen after the first generation are introduced by a
                    // creation with no creator; the virtual threads were created by the creator.
                    if (vtIds.contains(e.arg(0))) {
                        assertEquals(creatorId, e.g(), "created by the creator thread");
                        perG.computeIfAbsent(e.arg(0), k -> new int[7])[0]++;
                    }
                }
                case EventType.GO_START -> perG.computeIfAbsent(e.arg(0), k -> new int[7])[1]++;
                case EventType.GO_BLOCK -> {
                    assertEquals("park java.util.concurrent.locks.ReentrantLock", e.reason());
                    perG.get(e.g())[2]++;
                }
                case EventType.GO_STOP -> perG.get(e.g())[3]++;
                case EventType.GO_UNBLOCK -> {
                    assertEquals(unparkerId, e.g(), "unblocked by the unparker, on its own context");
                    perG.get(e.arg(0))[4]++;
                }
                case EventType.GO_SYSCALL_BEGIN -> perG.get(e.g())[5]++;
                case EventType.GO_DESTROY -> perG.get(e.g())[6]++;
                default -> { }
            }
        }
        // Per VT: rounds starts; blocks on odd "left" values among rounds-1..1, yields on even ones.
        int blocks = 0, yields = 0, pins = 0;
        for (int left = rounds - 1; left >= 0; left--) {
            if (left % 5 == 0) {
                pins++;
            }
            if (left == 0) {
                continue;
            }
            if (left % 2 == 1) {
                blocks++;
            } else {
                yields++;
            }
        }
        int vtsSeen = 0;
        for (Map.Entry<Long, int[]> e : perG.entrySet()) {
            int[] c = e.getValue();
            if (c[0] == 0) {
                continue; // the platform threads that emitted events are Gs too
            }
            vtsSeen++;
            assertEquals(1, c[0], "created once: G " + e.getKey());
            assertEquals(rounds, c[1], "started once per round: G " + e.getKey());
            assertEquals(blocks, c[2], "blocks: G " + e.getKey());
            assertEquals(yields, c[3], "yields: G " + e.getKey());
            assertEquals(blocks, c[4], "unblocks: G " + e.getKey());
            assertEquals(pins, c[5], "pinned episodes: G " + e.getKey());
            assertEquals(1, c[6], "destroyed once: G " + e.getKey());
        }
        assertEquals(vts, vtsSeen);
        assertEquals((long) vts * pins, trace.count(e -> e.type() == EventType.USER_LOG && "pinned".equals(e.name())));
    }

    @Test
    void aCaptureLayerThatMissesTransitionsStillYieldsAValidTrace() throws Exception {
        Thread vt = Thread.ofVirtual().unstarted(() -> {});
        Traced<Void> run = traced(dir.resolve("repair.trace"),
                TraceOptions.defaults().generationPeriod(Duration.ofMillis(10)).generationBytes(1 << 20), t -> {
            Thread carrier = Thread.ofPlatform().start(() -> {
                emit(t, w -> w.goBlock(vt, "sleep", null));     // never seen start: repaired by a start
                emit(t, w -> w.goStart(vt));                     // never seen unblock: repaired
                emit(t, w -> w.goStart(vt));                     // started twice: ignored
                emit(t, w -> w.goUnblock(vt, null, null));       // unblock of a running G: dropped
                emit(t, w -> w.syscallEnd(vt));                  // end without begin: dropped
                emit(t, w -> w.goDestroy(vt));
            });
            carrier.join();
            // A G running on one carrier, "unblocked" from another: dropped, and no status of it
            // may be written on the wrong M (it would bind it there).
            Thread vt2 = Thread.ofVirtual().unstarted(() -> {});
            Thread a = Thread.ofPlatform().start(() -> emit(t, w -> w.goStart(vt2)));
            a.join();
            t.advanceNow(); // a fresh generation, where the G's status is not yet told
            Thread vt3 = Thread.ofVirtual().unstarted(() -> {});
            Thread b = Thread.ofPlatform().start(() -> {
                emit(t, w -> w.goUnblock(vt2, null, null));
                // Had the bogus unblock bound vt2 to this M, Go's parser would reject this start.
                emit(t, w -> w.goStart(vt3));
                emit(t, w -> w.goDestroy(vt3));
            });
            b.join();
            Thread a2 = Thread.ofPlatform().start(() -> emit(t, w -> w.goStart(vt2)));
            a2.join();
        });
        assertEquals(4, run.stats().inconsistentEvents(), "the unrepairable events are counted");
        assertEquals(1, run.trace().count(e -> e.type() == EventType.GO_DESTROY && e.g() == vt.threadId()));
        assertEquals(1, run.trace().count(e -> e.type() == EventType.GO_BLOCK && "sleep".equals(e.reason())));
    }

    @Test
    void platformThreadsThatEmittedAndDiedAreRetiredFromTheTrace() throws Exception {
        List<Long> ids = new ArrayList<>();
        Traced<Integer> run = tracedValue(dir.resolve("retire.trace"),
                TraceOptions.defaults().generationPeriod(Duration.ofSeconds(60)).generationBytes(1 << 20), t -> {
            for (int i = 0; i < 20; i++) {
                Thread p = Thread.ofPlatform().start(() -> emit(t, w -> w.userLog(Thread.currentThread(), 0, "hello", "from a short-lived thread", null)));
                p.join();
                ids.add(p.threadId());
            }
            t.advanceNow(); // they wrote in this generation: told by their own events
            t.advanceNow(); // told by nobody: the sweep ends them
            int msLeft = t.session.ms.size();
            t.advanceNow();
            return msLeft;
        });
        assertEquals(0, run.stats().inconsistentEvents());
        assertEquals(0, (int) run.value(), "all dead Ms retired");
        for (long id : ids) {
            // A platform thread's G sits in a syscall on its M between its events: it ends from there.
            assertEquals(1, run.trace().count(e -> e.type() == EventType.GO_DESTROY_SYSCALL && e.g() == id), "G " + id + " ended");
        }
    }
}

package dev.loomtracer.engine;

import dev.loomtracer.TraceOptions;
import dev.loomtracer.testing.Spi.Traced;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static dev.loomtracer.testing.Spi.await;
import static dev.loomtracer.testing.Spi.emit;
import static dev.loomtracer.testing.Spi.blocks;
import static dev.loomtracer.testing.Spi.onNewThread;
import static dev.loomtracer.testing.Spi.runsToEnd;
import static dev.loomtracer.testing.Spi.traced;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 3: two writers told of one G's transition at once. A thread dump resubmits a runnable
 * virtual thread, so a second run task for it can sit in a run queue; when a later wake-up makes
 * it runnable, a carrier runs it (GoStart) while the waker is still telling the unblock. Before
 * the G's transitions were claimed, both writers wrote: two unblocks with their own sequence
 * numbers, a status contradicting the events, and Go's parser rejected the trace.
 *
 * <p>Each interleaving is forced, not hoped for: a writer is held inside its write (in the stack
 * table, through a gated table, or between acquire and the operation) while the other writer
 * runs to completion on its own M. The trace must satisfy both judges, and exactly the loser's
 * event must be dropped and counted.
 */
class ConcurrentTellersTest {
    @TempDir
    Path dir;

    /** A stack table that holds the writer putting {@link #marker} until {@link #go} opens. */
    static final class GatedStackTable extends StackTable {
        final CapturedStack marker = CapturedStack.ofFrames(new CapturedStack.Frame("Waker.unpark", "Waker.java", 1));
        final CountDownLatch inside = new CountDownLatch(1);
        final CountDownLatch go = new CountDownLatch(1);

        @Override
        long put(CapturedStack stack) {
            if (stack == marker) {
                inside.countDown();
                await(go);
            }
            return super.put(stack);
        }

        /** Puts this table in place of both of {@code t}'s stack tables (this generation's and the next's). */
        void install(Tracer t) {
            t.session.stacks[0] = this;
            t.session.stacks[1] = this;
        }

        /** Starts a platform thread {@code name} telling {@code vt}'s unblock with {@link #marker}; returns it once it is held inside. */
        Thread heldWaker(Tracer t, String name, Thread vt) {
            Thread waker = Thread.ofPlatform().name(name).start(() -> emit(t, w -> w.goUnblock(vt, Thread.currentThread(), marker)));
            await(inside);
            return waker;
        }
    }

    private static TraceOptions config() {
        return TraceOptions.defaults().generationPeriod(Duration.ofHours(1)).generationBytes(64L << 20);
    }

    @Test
    void aStartToldWhileTheWakerIsTellingTheUnblockIsDroppedAndCounted() throws Exception {
        GatedStackTable gate = new GatedStackTable();
        Thread vt = Thread.ofVirtual().unstarted(() -> { });
        Traced<Void> run = traced(dir.resolve("unblock-vs-start.trace"), config(), t -> {
            gate.install(t);
            emit(t, w -> w.goCreate(Thread.currentThread(), vt, false, null, null));
            blocks(t, "carrier-a", vt, "park"); // carrier A runs it until it parks
            // The waker tells the unblock, and is held inside it (its stack is being interned)...
            Thread waker = gate.heldWaker(t, "waker", vt);
            // ...while carrier B, running the thread dump's leftover task, tells the start.
            onNewThread("carrier-b", () -> emit(t, w -> w.goStart(vt)));
            gate.go.countDown();
            assertTrue(waker.join(Duration.ofMinutes(1)));
            // The thread really runs on B: its park there is told (the start repaired first), then
            // it is woken again, runs on A and ends.
            onNewThread("carrier-b2", () -> emit(t, w -> w.goBlock(vt, "park", null)));
            emit(t, w -> w.goUnblock(vt, Thread.currentThread(), null));
            runsToEnd(t, "carrier-a2", vt);
        });
        long id = vt.threadId();
        assertEquals(2, run.trace().count(e -> e.typeName().equals("GoUnblock") && e.arg(0) == id), "one per wake-up");
        assertEquals(3, run.trace().count(e -> e.typeName().equals("GoStart") && e.arg(0) == id),
                "on A, on B (repaired when its park is told), on A again");
        assertEquals(1, run.stats().inconsistentEvents(), "carrier B's start lost the claim: dropped and counted");
        assertEquals(0, run.stats().lostEvents());
    }

    @Test
    void twoWakersTellingTheSameUnblockWriteItOnce() throws Exception {
        GatedStackTable gate = new GatedStackTable();
        Thread vt = Thread.ofVirtual().unstarted(() -> { });
        Traced<Void> run = traced(dir.resolve("unblock-vs-unblock.trace"), config(), t -> {
            gate.install(t);
            emit(t, w -> w.goCreate(Thread.currentThread(), vt, true, null, null));
            Thread first = gate.heldWaker(t, "waker-1", vt);
            onNewThread("waker-2", () -> emit(t, w -> w.goUnblock(vt, Thread.currentThread(), null)));
            gate.go.countDown();
            assertTrue(first.join(Duration.ofMinutes(1)));
            runsToEnd(t, "carrier", vt);
        });
        long id = vt.threadId();
        assertEquals(1, run.trace().count(e -> e.typeName().equals("GoUnblock") && e.arg(0) == id));
        assertEquals(1, run.stats().inconsistentEvents(), "the second waker's unblock: dropped and counted");
    }

    /**
     * A writer still in generation g (it acquired before the advance published g+1) tells a
     * start after a writer in g+1 has already started and stopped the same G: written, it would
     * end g with the G running while g+1 begins with it runnable. It must be dropped.
     */
    @Test
    void aWriterInAnOlderGenerationDoesNotTellAGoroutineAfterANewerOneDid() throws Exception {
        Thread vt = Thread.ofVirtual().unstarted(() -> { });
        Traced<Void> run = traced(dir.resolve("stale-generation.trace"), config(), t -> {
            emit(t, w -> w.goCreate(Thread.currentThread(), vt, false, null, null));
            CountDownLatch acquired = new CountDownLatch(1);
            CountDownLatch go = new CountDownLatch(1);
            // Carrier A enters a write in generation 1 and is held before telling the start.
            Thread a = Thread.ofPlatform().name("carrier-a").start(() -> {
                TraceWriter w = t.acquire();
                acquired.countDown();
                await(go);
                if (w != null) {
                    try {
                        w.goStart(vt);
                    } finally {
                        t.release(w);
                    }
                }
            });
            await(acquired);
            long before = t.generation();
            Advancer.advance(t, false, new Advancer.Steps() {
                @Override
                void waitForWriters(List<MState> ms) {
                    // Generation 2 is published; A is still in 1. Carrier B, in 2, runs the G a while.
                    onNewThread("carrier-b", () -> {
                        emit(t, w -> w.goStart(vt));
                        emit(t, w -> w.goStop(vt, "yield", null));
                    });
                    go.countDown();
                    super.waitForWriters(ms);
                }
            });
            assertTrue(a.join(Duration.ofMinutes(1)));
            assertEquals(before + 1, t.generation());
            runsToEnd(t, "carrier-c", vt);
        });
        long id = vt.threadId();
        assertEquals(2, run.trace().count(e -> e.typeName().equals("GoStart") && e.arg(0) == id), "B's and C's");
        assertEquals(1, run.stats().inconsistentEvents(), "A's stale start: dropped and counted");
    }
}

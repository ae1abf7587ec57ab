package dev.loomtracer.engine;

import dev.loomtracer.TraceOptions;
import dev.loomtracer.TraceResult;
import dev.loomtracer.format.EventType;
import dev.loomtracer.testing.Spi.Traced;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static dev.loomtracer.testing.Spi.await;
import static dev.loomtracer.testing.Spi.emit;
import static dev.loomtracer.testing.Spi.join;
import static dev.loomtracer.testing.Spi.onNewThread;
import static dev.loomtracer.testing.Spi.runsToEnd;
import static dev.loomtracer.testing.Spi.traced;
import static dev.loomtracer.testing.Spi.tracedValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The advancer's window (docs/ENGINE.md, "Generations"): between publishing generation g+1 and
 * writing g's statuses, writers already write into g+1. What the advancer decides for g at its
 * end from its snapshot (a G's status, ending a G whose thread terminated, retiring an M whose
 * thread terminated) must not contradict what g+1 has told meanwhile. Each case is forced, not
 * hoped for: the writers of g+1 run inside the window, through the advance's
 * {@link Advancer.Steps#waitForWriters} seam, and every trace is judged by the project's
 * validator and Go's parser. Each failed both judges before the rule it covers (seen in
 * SimulatedTrace and in {@code loomtrace demo --no-agent} as "no M can advance" and "found
 * goroutine status for new goroutine after the first generation").
 *
 * <p>Also here: a thread that emitted as itself (a platform thread's G in its syscall on its M)
 * and is then used as a carrier writes a valid trace, or drops and counts what it cannot tell.
 */
class AdvanceWindowTest {
    @TempDir
    Path dir;

    private static TraceOptions config() {
        return TraceOptions.defaults().generationPeriod(Duration.ofHours(1)).generationBytes(64L << 20);
    }

    /** Ends the current generation, running {@code window} after the next one is published and before this one is written. */
    private static void advanceWith(Tracer t, Runnable window) {
        long before = t.generation();
        Advancer.advance(t, false, new Advancer.Steps() {
            @Override
            void waitForWriters(List<MState> ms) {
                window.run();
                super.waitForWriters(ms);
            }
        });
        assertEquals(before + 1, t.generation());
    }

    /**
     * A carrier that told nothing in g writes into g+1 inside the window and terminates. Retiring
     * its M at the end of g (its thread has ended) threw away its g+1 batch: the unblock and start
     * there were lost, and the next unblock's sequence number had nothing before it.
     */
    @Test
    void aThreadThatWritesIntoTheNextGenerationAndEndsKeepsItsEvents() throws Exception {
        Thread vt = Thread.ofVirtual().unstarted(() -> { });
        Traced<Void> run = traced(dir.resolve("retire.trace"), config(), t -> {
            emit(t, w -> w.goCreate(null, vt, false, null, null));
            CountDownLatch parked = new CountDownLatch(1);
            CountDownLatch again = new CountDownLatch(1);
            Thread carrier = Thread.ofPlatform().name("carrier").start(() -> {
                emit(t, w -> w.goStart(vt));
                emit(t, w -> w.goBlock(vt, "park", null));
                parked.countDown();
                await(again);
                emit(t, w -> w.goUnblock(vt, null, null));
                emit(t, w -> w.goStart(vt));
                emit(t, w -> w.goBlock(vt, "park", null));
            });
            await(parked);
            t.advanceNow(); // the carrier tells nothing in generation 2
            advanceWith(t, () -> {
                again.countDown();
                join(carrier); // it wrote into generation 3 and has ended
            });
            emit(t, w -> w.goUnblock(vt, Thread.currentThread(), null));
            runsToEnd(t, "carrier-2", vt);
        });
        long id = vt.threadId();
        assertEquals(3, run.trace().count(e -> e.type() == EventType.GO_START && e.arg(0) == id), "both of the carrier's, and carrier-2's");
        assertEquals(2, run.trace().count(e -> e.type() == EventType.GO_UNBLOCK && e.arg(0) == id), "the carrier's and the test thread's");
        assertEquals(0, run.stats().inconsistentEvents());
    }

    /**
     * A G not told in g is told again in g+1 inside the window (started and stopped: runnable, as
     * it was), and then its thread terminates. Ending it in g, because its thread has terminated
     * and its status looks unchanged, left g+1 telling a G that g had destroyed.
     */
    @Test
    void aGoroutineToldInTheNextGenerationIsNotEndedInThisOne() throws Exception {
        Thread vt = Thread.ofVirtual().unstarted(() -> { });
        Traced<Void> run = traced(dir.resolve("reap.trace"), config(), t -> {
            emit(t, w -> w.goCreate(null, vt, false, null, null));
            onNewThread("carrier-a", () -> {
                emit(t, w -> w.goStart(vt));
                emit(t, w -> w.goStop(vt, "yield", null));
            });
            t.advanceNow(); // nothing tells the G in generation 2
            advanceWith(t, () -> {
                onNewThread("carrier-b", () -> {
                    emit(t, w -> w.goStart(vt));
                    emit(t, w -> w.goStop(vt, "yield", null));
                });
                vt.start(); // the thread itself ends now; the trace has not been told yet
                join(vt);
            });
            runsToEnd(t, "carrier-c", vt);
        });
        long id = vt.threadId();
        assertEquals(3, run.trace().count(e -> e.type() == EventType.GO_START && e.arg(0) == id), "on a, b and c; none by the reaper");
        assertEquals(1, run.trace().count(e -> e.type() == EventType.GO_DESTROY && e.g() == id));
        assertEquals(0, run.stats().inconsistentEvents());
    }

    /**
     * A G the trace has looked up but never introduced (its unblock was dropped) is introduced by
     * a creation in g+1 inside the window. The advancer then wrote a status for it in g, where it
     * does not exist.
     */
    @Test
    void aGoroutineIntroducedByTheNextGenerationHasNoStatusInThisOne() throws Exception {
        Thread running = Thread.ofVirtual().unstarted(() -> { });
        Thread elsewhere = Thread.ofVirtual().unstarted(() -> { });
        Thread parked = Thread.ofVirtual().unstarted(() -> { });
        Traced<Void> run = traced(dir.resolve("introduce.trace"), config(), t -> {
            emit(t, w -> w.goCreate(null, running, false, null, null));
            onNewThread("carrier-a", () -> {
                emit(t, w -> w.goStart(running));
                // Told as the unblocker while another runs here: cannot be told, dropped and counted.
                emit(t, w -> w.goUnblock(parked, elsewhere, null));
                emit(t, w -> w.goBlock(running, "park", null));
            });
            t.advanceNow(); // past the first generation: a G is introduced by a creation
            advanceWith(t, () -> onNewThread("unparker", () -> emit(t, w -> w.goUnblock(parked, Thread.currentThread(), null))));
            runsToEnd(t, "carrier-b", parked);
        });
        long id = parked.threadId();
        assertEquals(1, run.trace().count(e -> e.type() == EventType.GO_CREATE_BLOCKED && e.arg(0) == id));
        assertEquals(0, run.trace().count(e -> e.type() == EventType.GO_STATUS && e.arg(0) == id), "introduced by its creation only");
        assertEquals(1, run.stats().inconsistentEvents(), "the unblock told by a thread not running there");
    }

    /**
     * A thread that emitted as itself (its G sits in a syscall on its M) and is then used as a
     * carrier: the scheduler's creations on it are told by its G, which borrows its P as for its
     * own events (a creation by a G in a syscall is invalid), and a start of a virtual thread,
     * which its M cannot run while its own G is there, is dropped and counted.
     */
    @Test
    void aPlatformThreadUsedAsACarrierWritesAValidTrace() throws Exception {
        Thread child = Thread.ofVirtual().unstarted(() -> { });
        Thread parkedBefore = Thread.ofVirtual().unstarted(() -> { });
        Traced<Thread> run = tracedValue(dir.resolve("both.trace"), config(), t -> {
            emit(t, w -> w.userLog(Thread.currentThread(), 0, "k", "v", null));
            t.advanceNow(); // past the first generation: a G the trace never saw is introduced by a creation
            Thread both = onNewThread("both", () -> {
                emit(t, w -> w.userLog(Thread.currentThread(), 0, "k", "as itself", null));
                emit(t, w -> w.goCreate(null, child, false, null, null));
                emit(t, w -> w.goUnblock(parkedBefore, null, null));
                emit(t, w -> w.goStart(child));
            });
            onNewThread("carrier", () -> {
                emit(t, w -> w.goStart(child));
                emit(t, w -> w.goDestroy(child));
                emit(t, w -> w.goStart(parkedBefore));
                emit(t, w -> w.goDestroy(parkedBefore));
            });
            return both;
        });
        long both = run.value().threadId();
        assertEquals(1, run.trace().count(e -> e.type() == EventType.GO_CREATE && e.arg(0) == child.threadId() && e.g() == both));
        assertEquals(1, run.trace().count(e -> e.type() == EventType.GO_CREATE_BLOCKED && e.arg(0) == parkedBefore.threadId()
                && e.g() == both));
        assertEquals(1, run.stats().inconsistentEvents(), "the start on the M its own G occupies");
    }

    /**
     * Inside the window a writer already in g+1 runs out of memory, and then a writer still in g
     * does (the advancer waits for it): g lost an event, so g is the generation the loss replaces.
     * Keeping the first generation to report a loss instead kept g whole on paper, with the
     * second writer's log in it carrying the lost string's id 0 (LossTest saw an empty message).
     * The two losses are told to the session directly: no seam stops a writer mid-write.
     */
    @Test
    void aLossInThisGenerationReportedAfterOneInTheNextEndsTheTraceAtThisOne() throws Exception {
        Traced<Long> run = tracedValue(dir.resolve("loss.trace"), config(), t -> {
            emit(t, w -> w.userLog(Thread.currentThread(), 0, "before", "kept", null));
            t.advanceNow(); // generation 1 is whole
            long g = t.generation();
            emit(t, w -> w.userLog(Thread.currentThread(), 0, "during", "lost with its generation", null));
            TraceSession s = t.session;
            Advancer.advance(t, false, new Advancer.Steps() {
                @Override
                void waitForWriters(List<MState> ms) {
                    s.recordLoss(g + 1);
                    s.recordLoss(g);
                    super.waitForWriters(ms);
                }
            });
            return g;
        });
        long g = run.value();
        TraceResult result = run.stats();
        assertEquals(g, result.generations(), "the trace ends with g, replaced by the loss record: " + result);
        assertTrue(result.lostEvents() >= 2, String.valueOf(result));
        assertEquals(1, run.trace().count(e -> e.type() == EventType.USER_LOG && "before".equals(e.name())));
        assertEquals(0, run.trace().count(e -> e.type() == EventType.USER_LOG && "during".equals(e.name())), "g is not written");
        assertEquals(1, run.trace().count(e -> e.type() == EventType.USER_LOG && Advancer.LOSS_KEY.equals(e.name())
                && e.generation() == g && e.message().contains("in generation " + g)), "the loss record replaces g");
    }
}

package dev.loomtracer.engine;

import dev.loomtracer.TraceOptions;
import dev.loomtracer.format.EventType;
import dev.loomtracer.parse.TraceEvent;
import dev.loomtracer.parse.TraceThreads;
import dev.loomtracer.testing.CheckedTrace;
import dev.loomtracer.testing.GoJudge;
import dev.loomtracer.testing.Spi.Traced;
import static dev.loomtracer.testing.Spi.emit;
import static dev.loomtracer.testing.Spi.onNewThread;
import static dev.loomtracer.testing.Spi.runsToEnd;
import static dev.loomtracer.testing.Spi.tracedValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who is who in a trace (issue 10, items 3 and 5): every thread's name travels in the trace (a
 * GoLabel for a G, a {@code loomtrace.carrier} log for a carrier) in every generation it appears
 * in and when it changes; carriers are Ms with Ps that run virtual threads, and a platform thread
 * that emits events is a goroutine in a syscall on an M without a P, borrowing a P only for the
 * events Go's format wants one for. Driven through the capture SPI as a scheduler would, checked
 * by both judges and against Go's own report of the labels.
 */
class ThreadIdentityTest {
    @TempDir
    Path dir;

    private static TraceOptions config() {
        return TraceOptions.defaults().generationPeriod(Duration.ofSeconds(60)).generationBytes(1 << 20);
    }

    /** The platform threads that told the story of {@link #namesTravelAndPlatformThreadsAreNotCarriers}. */
    private record Tellers(Thread creator, Thread carrier, Thread unparker, Thread carrier2) {}

    @Test
    void namesTravelAndPlatformThreadsAreNotCarriers() throws Exception {
        Thread a = Thread.ofVirtual().name("request-1").unstarted(() -> {});
        Thread b = Thread.ofVirtual().name("request-2").unstarted(() -> {});
        Thread anon = Thread.ofVirtual().unstarted(() -> {});
        Traced<Tellers> run = tracedValue(dir.resolve("who.trace"), config(), t -> {
            // A platform thread creates them, with a task of its own (it needs a P for both).
            Thread creator = onNewThread("acceptor", () -> {
                emit(t, w -> w.userTaskBegin(Thread.currentThread(), 7, 0, "accept", null));
                for (Thread vt : List.of(a, b, anon)) {
                    emit(t, w -> w.goCreate(Thread.currentThread(), vt, false, null, null));
                }
            });
            // A carrier runs them; a renamed thread gets its new name; the two requests block.
            Thread carrier = onNewThread("ForkJoinPool-1-worker-1", () -> {
                emit(t, w -> w.goStart(a));
                emit(t, w -> w.goBlock(a, "sleep", null));
                emit(t, w -> w.goStart(b));
                b.setName("request-2-renamed");
                emit(t, w -> w.goStop(b, "yield", null));
                emit(t, w -> w.goStart(b));
                emit(t, w -> w.goBlock(b, "sleep", null));
                emit(t, w -> w.goStart(anon));
                emit(t, w -> w.goDestroy(anon));
                emit(t, w -> w.procStop());
            });
            t.advanceNow(); // the next generation states every name again
            // A platform thread that only unblocks: it never needs a P for that.
            Thread unparker = onNewThread("VirtualThread-unparker", () -> {
                emit(t, w -> w.goUnblock(a, Thread.currentThread(), null));
                emit(t, w -> w.goUnblock(b, Thread.currentThread(), null));
            });
            Thread carrier2 = onNewThread("ForkJoinPool-1-worker-2", () -> {
                emit(t, w -> w.goStart(a));
                emit(t, w -> w.goDestroy(a));
                emit(t, w -> w.goStart(b));
                emit(t, w -> w.goDestroy(b));
            });
            return new Tellers(creator, carrier, unparker, carrier2);
        });
        assertEquals(0, run.stats().inconsistentEvents());
        assertEquals(0, run.stats().lostEvents());
        Thread creator = run.value().creator();
        Thread carrier = run.value().carrier();
        Thread unparker = run.value().unparker();
        Thread carrier2 = run.value().carrier2();
        CheckedTrace trace = run.trace();
        assertTrue(trace.generations() >= 2);

        // Go's parser reports each G's label, in each generation where the G runs.
        String go = Files.readString(GoJudge.judge(trace.file).stdout());
        assertTrue(go.contains("Label=\"request-1\" Resource=Goroutine(" + a.threadId() + ")"), "request-1 labelled:\n" + go);
        assertTrue(go.contains("Label=\"request-2-renamed\" Resource=Goroutine(" + b.threadId() + ")"), "renamed:\n" + go);
        assertTrue(go.contains("Label=\"acceptor\" Resource=Goroutine(" + creator.threadId() + ")"), "platform G labelled:\n" + go);
        assertTrue(go.contains("Label=\"VirtualThread-unparker\" Resource=Goroutine(" + unparker.threadId() + ")"), go);
        assertEquals(2, count(go, "Label=\"request-1\""), "once in each generation it runs in:\n" + go);
        assertFalse(go.contains("Label=\"\""), "an unnamed thread gets no label");

        // The project's parser: names of Gs and of carriers, and who is what.
        TraceThreads threads = new TraceThreads();
        trace.events.forEach(threads);
        assertEquals("request-1", threads.name(a.threadId()));
        assertEquals("request-2-renamed", threads.name(b.threadId()));
        assertEquals("acceptor", threads.name(creator.threadId()));
        assertEquals("ForkJoinPool-1-worker-1", threads.name(carrier.threadId()));
        assertEquals("ForkJoinPool-1-worker-2", threads.name(carrier2.threadId()));
        assertEquals(null, threads.name(anon.threadId()));
        assertEquals(Set.of(carrier.threadId(), carrier2.threadId()), threads.carriers());
        assertEquals(Set.of(creator.threadId(), unparker.threadId()), threads.platformThreads());
        assertEquals(Set.of(a.threadId(), b.threadId(), anon.threadId()), threads.virtualThreads());

        // A platform thread is a G in a syscall on its own M; it holds a P only around the
        // events that need one, so its P is idle whenever it is not emitting.
        for (TraceEvent e : trace.events) {
            if (e.type() == EventType.GO_UNBLOCK && e.m() == unparker.threadId()) {
                assertEquals(unparker.threadId(), e.g(), "the unblock is the unparker's");
                assertEquals(TraceEvent.NONE, e.p(), "an unblock needs no P: " + e);
            }
            if (e.type() == EventType.GO_CREATE) {
                assertEquals(creator.threadId(), e.g(), "created by the acceptor: " + e);
            }
        }
        assertTrue(go.contains("G=" + creator.threadId() + " StateTransition") && go.contains("Running->Syscall"),
                "the platform G goes back into its syscall:\n" + go);
        long platformProcs = trace.events.stream()
                .filter(e -> (e.m() == creator.threadId() || e.m() == unparker.threadId()) && e.type() == EventType.PROC_START)
                .count();
        long platformStops = trace.events.stream()
                .filter(e -> (e.m() == creator.threadId() || e.m() == unparker.threadId()) && e.type() == EventType.PROC_STOP)
                .count();
        assertEquals(platformProcs, platformStops, "every P a platform thread borrows is given back");
    }

    @Test
    void aPlatformThreadUnblockingAThreadTheTraceNeverSawIntroducesItLegally() throws Exception {
        Thread parkedBefore = Thread.ofVirtual().name("parked-before-the-trace").unstarted(() -> {});
        // Both judges check the trace: a creation needs a running G or none, not one in a syscall.
        Traced<Thread> run = tracedValue(dir.resolve("unseen.trace"), config(), t -> {
            onNewThread("warm-up", () -> emit(t, w -> w.userLog(Thread.currentThread(), 0, "k", "v", null)));
            t.advanceNow(); // after the first generation a G the trace never saw is introduced by a creation
            Thread unparker = onNewThread("VirtualThread-unparker", () -> {
                emit(t, w -> w.userLog(Thread.currentThread(), 0, "k", "v", null)); // labelled: no bracket due below
                emit(t, w -> w.goUnblock(parkedBefore, Thread.currentThread(), null));
            });
            runsToEnd(t, "carrier", parkedBefore);
            return unparker;
        });
        assertEquals(0, run.stats().inconsistentEvents());
        long unparker = run.value().threadId();
        assertEquals(1, run.trace().count(e -> e.type() == EventType.GO_CREATE_BLOCKED && e.arg(0) == parkedBefore.threadId()
                && e.g() == unparker));
        assertEquals(1, run.trace().count(e -> e.type() == EventType.GO_UNBLOCK && e.g() == unparker));
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}

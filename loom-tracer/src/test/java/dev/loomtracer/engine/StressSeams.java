package dev.loomtracer.engine;

import dev.loomtracer.TraceOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The stress module's JUnit tests' reach into the engine's package-private classes (its jcstress
 * tests have theirs: {@code AdvanceVsWriterRace}, {@code BufferHandoffRace}, ...): the trace lock
 * and its checking mode ({@link TraceLockCheck}), an advance with observed steps
 * ({@link Advancer.Steps}), the current generation's tables. Those tests need the capture layer
 * (a one-carrier tracing scheduler) and the JFR import, which this module cannot depend on, so
 * they live in {@code dev.loomtracer.stress.engine} and call these.
 *
 * <p>Invariant: test code only, in the engine's test-jar: nothing here is in the product jar, the
 * agent's boot class path or an export of {@code dev.loomtracer}'s module declaration, so the
 * engine's visibility is what the product needs and no more. (A probe in the main jar could only
 * be exported with its whole package, the writer included, and would ship with the agent.) The
 * broken controls' wrong steps are written in the tests themselves, with these as their reach.
 */
public final class StressSeams {
    private StressSeams() {}

    /** What the trace lock's checking mode saw since its last reset ({@link TraceLockCheck#report()}). */
    public record LockReport(List<String> violations, Set<String> sites, Map<String, Long> outside, long holds,
                             long maxWorkPerHold, long maxHoldNanos, long totalHoldNanos) {}

    /** The engine's key of the log that records a loss ({@code loomtrace.loss}). */
    public static final String LOSS_KEY = Advancer.LOSS_KEY;

    /** Whether the trace lock's checking mode is on in this JVM ({@code -Dloomtracer.checkTraceLock=true}). */
    public static boolean lockCheckOn() {
        return TraceLockCheck.ON;
    }

    /** Forgets what the checking mode saw (call with no trace lock held). */
    public static void resetLockCheck() {
        TraceLockCheck.reset();
    }

    public static LockReport lockReport() {
        TraceLockCheck.Report r = TraceLockCheck.report();
        return new LockReport(r.violations(), r.sites(), r.outside(), r.holds(), r.maxWorkPerHold(), r.maxHoldNanos(),
                r.totalHoldNanos());
    }

    /** Runs {@code r} holding {@code t}'s trace lock: what the broken controls do wrong. */
    public static void holdingTraceLock(Tracer t, Runnable r) {
        t.lock.lock();
        try {
            r.run();
        } finally {
            t.lock.unlock();
        }
    }

    /**
     * A real advance of {@code t} to its next generation whose steps also run
     * {@code beforeWaitingForWriters} (after the next generation is published, before the advancer
     * waits for the writers of the old one) and {@code atPreemptionPoint} (after each batch it
     * builds, before its yield); either may be null.
     */
    public static void advance(Tracer t, Runnable beforeWaitingForWriters, Runnable atPreemptionPoint) {
        Advancer.advance(t, false, new Advancer.Steps() {
            @Override
            void waitForWriters(List<MState> ms) {
                if (beforeWaitingForWriters != null) {
                    beforeWaitingForWriters.run();
                }
                super.waitForWriters(ms);
            }

            @Override
            void preemptionPoint() {
                if (atPreemptionPoint != null) {
                    atPreemptionPoint.run();
                }
                super.preemptionPoint();
            }
        });
    }

    /** The number of stacks and of strings in the current generation's tables of {@code t}. */
    public static int[] generationTables(Tracer t) {
        int slot = (int) (t.generation() & 1);
        return new int[] {t.session.stacks[slot].size(), t.session.strings[slot].size()};
    }

    /** The batches of a string table of {@code count} distinct strings, dumped as the advancer dumps one. */
    public static List<Object> dumpOfStrings(int count) {
        StringTable strings = new StringTable();
        for (int i = 0; i < count; i++) {
            strings.put("string " + i);
        }
        List<TraceBuf> out = new ArrayList<>();
        strings.dump(new BatchBuilder(1, out));
        return new ArrayList<>(out);
    }

    /** Queues one batch of {@link #dumpOfStrings} as a full buffer of {@code t}'s pool (the caller holds the trace lock). */
    public static void enqueueFull(Tracer t, Object batch) {
        t.pool.enqueueFull((TraceBuf) batch);
    }

    /**
     * The work that must stay outside the trace lock, on a fresh session of {@code t}: interning a
     * new string and a stack into generation 1's tables, capturing the stack, and a sink's I/O check.
     */
    public static Runnable lockFreeWork(Tracer t) {
        TraceSession s = new TraceSession(t, TraceOptions.defaults());
        return () -> {
            s.strings[1].put("a string first seen now");
            s.stacks[1].put(CallerStacks.capture(0));
            Tracer.checkOutsideTraceLock("a trace sink's I/O");
        };
    }

    /** A trace lock of its own (not a tracer's), for what holding one does to a virtual thread. */
    public static final class Lock {
        private final TraceLock lock = new TraceLock();

        public void lock() {
            lock.lock();
        }

        public void unlock() {
            lock.unlock();
        }

        public boolean isHeld() {
            return lock.isHeld();
        }
    }
}

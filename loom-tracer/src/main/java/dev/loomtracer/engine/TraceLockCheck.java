package dev.loomtracer.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The trace lock's checking mode, for tests ({@code -Dloomtracer.checkTraceLock=true}; the
 * project's build turns it on for every test JVM). It proves two protocols of docs/ENGINE.md on
 * whatever the tests run: the lock is not reentrant and nothing that can need it runs under it
 * (Go CL 496296), and what runs under it is short (Go CL 577377).
 *
 * <p>Invariant: off (the default), {@link #ON} is a constant false and every call site is
 * {@code if (TraceLockCheck.ON) ...}, which the JIT folds away: the product pays nothing. On, a
 * carrier that takes a trace lock while it holds one is a violation, recorded and thrown as an
 * {@link AssertionError} before the lock would spin forever on itself; work that must stay
 * outside the lock (interning, stack capture, table dumps, a sink's I/O, reading JFR data)
 * records a violation if its carrier holds a trace lock (recorded and printed, not thrown: the
 * holder would unwind without unlocking and hang every other test). The holder is keyed by carrier: a
 * virtual thread holding the lock is pinned, so its carrier runs nothing else until it unlocks.
 * Each hold's work ({@link #work}: buffers linked or unlinked) and duration are measured.
 */
final class TraceLockCheck {
    private TraceLockCheck() {}

    static final boolean ON = Boolean.getBoolean("loomtracer.checkTraceLock");

    /** Carriers holding a trace lock now, and which. */
    private static final Map<Thread, TraceLock> HELD = new ConcurrentHashMap<>();
    private static final List<String> VIOLATIONS = new CopyOnWriteArrayList<>();
    /** The engine methods that took a trace lock, as {@code Class.method}. */
    private static final Set<String> SITES = ConcurrentHashMap.newKeySet();
    /** How many times each kind of lock-free work checked that it ran outside the lock. */
    private static final Map<String, LongAdder> OUTSIDE = new ConcurrentHashMap<>();
    private static final LongAdder HOLDS = new LongAdder();
    private static final AtomicLong MAX_WORK = new AtomicLong();
    private static final AtomicLong MAX_HOLD_NANOS = new AtomicLong();
    private static final LongAdder TOTAL_HOLD_NANOS = new LongAdder();
    private static final StackWalker WALKER = StackWalker.getInstance();

    /** Before {@code l} is taken by the current carrier. Throws if this carrier holds a trace lock. */
    static void entering(TraceLock l) {
        SITES.add(caller());
        Thread carrier = CarrierThreads.current();
        TraceLock held = HELD.get(carrier);
        if (held != null) {
            String what = (held == l ? "the trace lock re-acquired by its holder" : "a trace lock taken while another is held")
                    + " (not reentrant, Go CL 496296) by " + Thread.currentThread() + " on " + carrier + " in " + caller();
            violation(what);
            throw new AssertionError(what);
        }
    }

    /** {@code l} was just taken by the current carrier. */
    static void acquired(TraceLock l) {
        Thread carrier = CarrierThreads.current();
        HELD.put(carrier, l);
        l.holder = carrier;
        l.holdWork = 0;
        l.holdStart = System.nanoTime();
    }

    /** {@code l} is about to be released by the current carrier. */
    static void releasing(TraceLock l) {
        long nanos = System.nanoTime() - l.holdStart;
        Thread carrier = CarrierThreads.current();
        if (l.holder != carrier) {
            violation("the trace lock released by " + carrier + ", which does not hold it (holder: " + l.holder + ")");
        }
        l.holder = null;
        HELD.remove(carrier, l);
        HOLDS.increment();
        TOTAL_HOLD_NANOS.add(nanos);
        MAX_HOLD_NANOS.accumulateAndGet(nanos, Math::max);
        MAX_WORK.accumulateAndGet(l.holdWork, Math::max);
    }

    /** Counts {@code n} units of work (buffers linked or unlinked) in the current carrier's hold, if any. */
    static void work(int n) {
        TraceLock l = HELD.get(CarrierThreads.current());
        if (l != null) {
            l.holdWork += n;
        }
    }

    /** {@code what} must not run under a trace lock: a violation if the current carrier holds one. */
    static void outside(String what) {
        OUTSIDE.computeIfAbsent(what, k -> new LongAdder()).increment();
        Thread carrier = CarrierThreads.current();
        if (HELD.containsKey(carrier)) {
            violation(what + " under the trace lock (Go CL 496296) by " + Thread.currentThread() + " on " + carrier
                    + " in " + caller());
        }
    }

    /** Recorded for the tests that read {@link #report()}, and told on stderr for every other test's log. */
    private static void violation(String what) {
        VIOLATIONS.add(what);
        System.err.println("TraceLockCheck: VIOLATION: " + what);
    }

    private static String caller() {
        return WALKER.walk(s -> s.filter(f -> !f.getClassName().equals(TraceLockCheck.class.getName())
                        && !f.getClassName().equals(TraceLock.class.getName())
                        && !f.getMethodName().equals("checkOutsideTraceLock"))
                .findFirst()
                .map(f -> f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "." + f.getMethodName())
                .orElse("?"));
    }

    // ---------------------------------------------------------------- what tests read

    /** What the checks saw since the last {@link #reset()}. */
    record Report(List<String> violations, Set<String> sites, Map<String, Long> outside, long holds, long maxWorkPerHold,
                  long maxHoldNanos, long totalHoldNanos) {}

    static Report report() {
        Map<String, Long> outside = new TreeMap<>();
        OUTSIDE.forEach((k, v) -> outside.put(k, v.sum()));
        return new Report(new ArrayList<>(VIOLATIONS), Set.copyOf(SITES), outside, HOLDS.sum(), MAX_WORK.get(),
                MAX_HOLD_NANOS.get(), TOTAL_HOLD_NANOS.sum());
    }

    /** Forgets everything seen so far (call with no trace lock held). */
    static void reset() {
        VIOLATIONS.clear();
        SITES.clear();
        OUTSIDE.clear();
        HOLDS.reset();
        MAX_WORK.set(0);
        MAX_HOLD_NANOS.set(0);
        TOTAL_HOLD_NANOS.reset();
    }
}

package dev.loomtracer.hooks.agent;

import dev.loomtracer.engine.CapturedStack;
import dev.loomtracer.engine.TraceWriter;
import dev.loomtracer.engine.Tracer;
import dev.loomtracer.hooks.core.Emit;
import dev.loomtracer.hooks.core.Reasons;
import dev.loomtracer.hooks.core.EventStacks;
import dev.loomtracer.hooks.core.Timeouts;
import dev.loomtracer.hooks.core.VThreads;
import jdk.internal.misc.CarrierThread;
import jdk.internal.misc.CarrierThreadLocal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.util.concurrent.locks.LockSupport;

import static dev.loomtracer.hooks.core.VThreads.*;

/**
 * The static methods the instrumented {@code java.lang.VirtualThread} (and two JDK call sites)
 * call. Loaded from the boot class path, so the JDK and the application share them and
 * {@code Tracer.GLOBAL}.
 *
 * <p>Where each event is told, and why there:
 * <ul>
 * <li>mount: in {@code runContinuation} after the state CAS that makes the run real, just before
 *     {@code mount()}, on the carrier;</li>
 * <li>block/stop: at the entry of {@code afterYield}, on the carrier after the unmount. There the
 *     thread is still in a transition state (PARKING, BLOCKING, WAITING, YIELDING), so nobody can
 *     make it runnable or run it before the event is written; {@code afterYield} publishes the
 *     parked state and only then may another carrier run it. (The exit of {@code runContinuation}
 *     would race with that next run.) The reason comes from the state, the park blocker, or a
 *     call-site hint left in a carrier-local slot by the thread just before it parked (nothing
 *     else runs on the carrier in between); the stack, when wanted, is taken by the thread
 *     itself at the entry of {@code yieldContinuation} and left in the same slot, or, for the
 *     JVM's own yields (monitor enter, Object.wait), walked from the unmounted continuation,
 *     which nothing can mount until afterYield returns;</li>
 * <li>end: at the exit of {@code afterDone()}, so that the threads its termination releases
 *     (joiners) are unblocked by it;</li>
 * <li>create/unblock: at the call into the scheduler in each submit method, on the thread
 *     submitting (the creator, the unparker, the JDK's unblocker thread, or a carrier running a
 *     timer: then the scheduler itself, no G);</li>
 * <li>pinned block: entry/exit of {@code parkOnCarrierThread}, as a syscall holding the carrier,
 *     with the pinning reason from {@code VThreadContinuation.onPinned} logged first.</li>
 * </ul>
 * Invariant: with tracing off every hook is one volatile load (a plain load on x86) and a branch; hooks never park and
 * never throw; a hint left by a virtual thread names itself, so a hint it leaves on a carrier it
 * then does not yield from is never taken for another thread's.
 */
public final class Hooks {
    private Hooks() {}

    private static final Tracer T = Tracer.GLOBAL;
    private static final MethodHandle PARK_NANOS;

    static {
        try {
            PARK_NANOS = VThreads.privateLookup(VIRTUAL_THREAD)
                    .findVirtual(VIRTUAL_THREAD, "parkNanos", MethodType.methodType(void.class, long.class))
                    .asType(MethodType.methodType(void.class, Thread.class, long.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Per-carrier hand-over between hooks that run, in order, on the same carrier. */
    static final class Slot {
        /** A carrier (it ran afterYield/afterDone): a submit from it outside a virtual thread is the scheduler's. */
        boolean carrier;
        /** Call-site hint for the next park of {@code hintVt} ("sleep", "network"). */
        Thread hintVt;
        String hint;
        /** The stack {@code yieldVt} took of itself at yieldContinuation entry, in state {@code yieldState}. */
        Thread yieldVt;
        int yieldState;
        EventStacks.ClassifiedStack captured;
        /** Why the last yield failed (Continuation.Pinned), set by onPinned. */
        String pinned;
        /** The thread whose pinned block is open on this carrier. */
        Thread syscallVt;
        /** The trace ({@link TraceWriter#session()}) that was told that block's begin. */
        long syscallSession;
        /** The thread inside afterDone on this carrier: it releases its joiners. */
        Thread exiting;

    }

    private static final CarrierThreadLocal<Slot> SLOTS = new CarrierThreadLocal<>() {
        @Override
        protected Slot initialValue() {
            return new Slot();
        }
    };

    // ------------------------------------------------------------------ carrier side

    /** runContinuation, after the state CAS, before mount(): {@code vt} starts on this carrier. */
    public static void beforeMount(Thread vt) {
        if (T.enabled()) {
            Emit.start(vt);
        }
    }

    /**
     * afterYield entry: {@code vt} unmounted; its state still says why (PARKING, TIMED_PARKING,
     * BLOCKING, WAITING, TIMED_WAITING, YIELDING) and nothing can mount it until afterYield
     * publishes the parked state. The stack comes from the thread itself (taken at
     * yieldContinuation entry) or, for the JVM's own yields (monitor enter, Object.wait), is
     * walked here from the unmounted continuation.
     */
    public static void afterYield(Thread vt) {
        if (!T.enabled()) {
            return;
        }
        int st = VThreads.state(vt);
        Slot s = SLOTS.get();
        s.carrier = true;
        EventStacks.ClassifiedStack own = s.yieldVt == vt && s.yieldState == st ? s.captured : null;
        s.yieldVt = null;
        s.captured = null;
        if (st == YIELDING) {
            Emit.stop(vt, Reasons.YIELD, Emit.stacksAll() ? (own != null ? own.stack() : EventStacks.ofUnmounted(vt)) : null);
            return;
        }
        String hint = takeHint(s, vt);
        Object blocker = LockSupport.getBlocker(vt);
        String waitsIn = !Reasons.needsStack(st, hint, blocker, true) ? null
                : own != null ? own.waitsIn() : EventStacks.classifyUnmounted(vt);
        String reason = Reasons.block(st, hint, blocker, waitsIn, VThreads.timeoutNanos(vt, st));
        // A park's stack was sampled (or not) at yieldContinuation; a stack taken there only to
        // classify the park is used too (it is the park's own). The JVM's own yields (monitor
        // enter, Object.wait) are sampled here and walked from the unmounted continuation.
        CapturedStack stack = null;
        if (own != null) {
            stack = Emit.stacksOnBlock() ? own.stack() : null;
        } else if ((st == PARKING || st == TIMED_PARKING) ? Emit.stacksEveryBlock() : Emit.takesBlockStack()) {
            stack = st == BLOCKING ? EventStacks.ofUnmountedMonitorEnter(vt) : EventStacks.ofUnmounted(vt);
        }
        Emit.block(vt, reason, stack);
    }

    /** afterDone() entry: {@code vt} terminated; until the exit, what it releases is released by it. */
    public static void afterDoneEnter(Thread vt) {
        if (T.enabled()) {
            Slot s = SLOTS.get();
            s.carrier = true;
            s.exiting = vt;
        }
    }

    /** afterDone() exit: {@code vt} ends. */
    public static void afterDoneExit(Thread vt) {
        if (T.enabled()) {
            SLOTS.get().exiting = null;
            Emit.destroy(vt);
        }
    }

    /**
     * The submit methods, at their call into the scheduler: {@code vt} becomes runnable by the
     * current thread. STARTED: a creation; UNPARKED/UNBLOCKED: an unblock; YIELDED: nothing (the
     * stop was told at afterYield).
     */
    public static void submit(Thread vt) {
        if (!T.enabled()) {
            return;
        }
        int st = VThreads.state(vt);
        if (st == YIELDED || duplicateResubmit(vt)) {
            return;
        }
        Thread by = Thread.currentThread();
        if (!by.isVirtual()) {
            Slot s;
            if (by instanceof CarrierThread) {
                s = SLOTS.get();
                by = s.exiting;
            } else if ((s = SLOTS.get()).carrier) {
                by = s.exiting;
            }
        }
        if (st == STARTED) {
            Emit.create(by, vt, EventStacks.entryOf(vt), Emit.takesCreationStack() ? EventStacks.current() : null);
        } else if (st == UNPARKED || st == UNBLOCKED) {
            Emit.unblock(vt, by, Emit.stacksAll() ? EventStacks.current() : null);
        }
    }

    /**
     * Replaces {@code Unsafe.park} in {@code ForkJoinPool.awaitWork}: a pool worker with nothing
     * to do parks. For a carrier of the virtual-thread scheduler its P goes idle (it starts
     * again with the next mount, or with the next event it writes).
     */
    public static void carrierIdlePark(jdk.internal.misc.Unsafe u, boolean absolute, long time) {
        if (T.enabled() && Thread.currentThread() instanceof CarrierThread) {
            Emit.procStop();
        }
        u.park(absolute, time);
    }

    // ------------------------------------------------------------------ thread dumps

    /** Per dumping thread: the thread it suspended and that thread's state before. */
    private static final class Dump {
        Thread vt;
        int initialState;
        boolean resubmitting;
    }

    private static final ThreadLocal<Dump> DUMPS = ThreadLocal.withInitial(Dump::new);
    /** Resubmits in progress, any thread: the submit hook looks at DUMPS only when non-zero. */
    private static final java.util.concurrent.atomic.AtomicInteger RESUBMITS = new java.util.concurrent.atomic.AtomicInteger();

    /** tryGetStackTrace, after it read the state of {@code vt}. */
    public static void stackTraceState(Thread vt, int initialState) {
        if (T.enabled()) {
            Dump d = DUMPS.get();
            d.vt = vt;
            d.initialState = initialState;
        }
    }

    /** tryGetStackTrace, before it resubmits {@code vt}. */
    public static void resubmitBegin(Thread vt) {
        if (T.enabled()) {
            Dump d = DUMPS.get();
            if (d.vt == vt) {
                d.resubmitting = true;
                RESUBMITS.incrementAndGet();
            }
        }
    }

    /** tryGetStackTrace, after the resubmit. */
    public static void resubmitEnd() {
        if (RESUBMITS.get() != 0) {
            Dump d = DUMPS.get();
            if (d.resubmitting) {
                d.resubmitting = false;
                d.vt = null;
                RESUBMITS.decrementAndGet();
            }
        }
    }

    /** True if this submit of {@code vt} is a thread dump's resubmit of a thread that was runnable already. */
    private static boolean duplicateResubmit(Thread vt) {
        if (RESUBMITS.get() == 0) {
            return false;
        }
        Dump d = DUMPS.get();
        if (!d.resubmitting || d.vt != vt) {
            return false;
        }
        int s = d.initialState;
        return s == UNPARKED || s == UNBLOCKED || s == YIELDED;
    }

    // ------------------------------------------------------------------ virtual-thread side

    /**
     * yieldContinuation entry, on {@code vt}, about to park or yield: when a stack is wanted (or
     * the park's blocker, a condition or latch, needs the stack to tell what it waits for), it is
     * taken here, by the thread itself, where it is cheap, and left for afterYield on this carrier.
     */
    public static void beforeYield(Thread vt) {
        if (!T.enabled()) {
            return;
        }
        int st = VThreads.state(vt);
        if (st == YIELDING ? !Emit.stacksAll()
                : !Emit.takesBlockStack() && !Reasons.blockerNeedsStack(LockSupport.getBlocker(vt))) {
            return;
        }
        Slot s = SLOTS.get();
        s.yieldVt = vt;
        s.yieldState = st;
        s.captured = EventStacks.currentClassified();
    }

    /** VThreadContinuation.onPinned entry, on the thread: its yield failed, it stays on the carrier. */
    public static void onPinned(Object why) {
        if (T.enabled()) {
            SLOTS.get().pinned = pinnedWords(String.valueOf(why));
        }
    }

    private static String pinnedWords(String pinned) {
        return switch (pinned) {
            case "NATIVE" -> "native frame";
            case "MONITOR" -> "monitor held";
            case "CRITICAL_SECTION" -> "critical section";
            case "EXCEPTION" -> "exception";
            default -> pinned;
        };
    }

    /** parkOnCarrierThread entry, on {@code vt}: it parks pinned, holding its carrier. */
    public static void pinnedParkBegin(Thread vt, boolean timed) {
        if (!T.enabled()) {
            return;
        }
        Slot s = SLOTS.get();
        if (tracerOwnWait(vt)) { // mid-write: not the program's block, and not writable
            s.pinned = null;
            return;
        }
        EventStacks.ClassifiedStack own = s.yieldVt == vt ? s.captured : null;
        s.yieldVt = null;
        s.captured = null;
        String hint = takeHint(s, vt);
        Object blocker = LockSupport.getBlocker(vt);
        String waitsIn = Reasons.needsStack(PINNED, hint, blocker, true) ? (own != null ? own : EventStacks.currentClassified()).waitsIn() : null;
        String reason = Reasons.block(PINNED, hint, blocker, waitsIn, timed ? VThreads.timeoutNanos(vt, TIMED_PINNED) : 0);
        String why = s.pinned != null ? s.pinned : "pinned";
        s.pinned = null;
        CapturedStack stack = Emit.stacksOnBlock() ? (own != null ? own : EventStacks.currentClassified()).stack() : null;
        long session = Emit.pinnedBegin(vt, reason + " while pinned (" + why + ")", stack);
        s.syscallVt = session != 0 ? vt : null;
        s.syscallSession = session;
    }

    /**
     * True if {@code vt} parks inside the tracer: a writer waiting for the trace lock. Its park is
     * the tracer's, not the program's, and it happens mid-write, where the engine would only
     * count the event as nested and drop it.
     */
    private static boolean tracerOwnWait(Thread vt) {
        return Tracer.isTracerWait(LockSupport.getBlocker(vt));
    }

    /** parkOnCarrierThread exit, on {@code vt}: the pinned block is over. */
    public static void pinnedParkEnd(Thread vt) {
        if (T.enabled()) {
            Slot s = SLOTS.get();
            if (s.syscallVt == vt && !tracerOwnWait(vt)) {
                long session = s.syscallSession;
                s.syscallVt = null;
                s.syscallSession = 0;
                Emit.pinnedEnd(vt, session); // not told if the trace that saw it begin was stopped meanwhile
            }
        }
    }

    // ------------------------------------------------------------------ call-site hints

    /** Replaces {@code parkNanos} in {@code VirtualThread.sleepNanos}: the park is a sleep. */
    public static void sleepParkNanos(Thread vt, long nanos) throws Throwable {
        if (!T.enabled()) {
            PARK_NANOS.invokeExact(vt, nanos);
            return;
        }
        hint(vt, Reasons.SLEEP);
        try {
            PARK_NANOS.invokeExact(vt, nanos);
        } finally {
            unhint(vt);
        }
    }

    /** Replaces {@code LockSupport.park()} in {@code sun.nio.ch.Poller.poll}: waiting for I/O readiness. */
    public static void ioPark() {
        if (!T.enabled()) {
            LockSupport.park();
            return;
        }
        Thread t = Thread.currentThread();
        hint(t, Reasons.NETWORK);
        try {
            LockSupport.park();
        } finally {
            unhint(t);
        }
    }

    /** Replaces {@code LockSupport.parkNanos(long)} in {@code sun.nio.ch.Poller.poll}. */
    public static void ioParkNanos(long nanos) {
        if (!T.enabled()) {
            LockSupport.parkNanos(nanos);
            return;
        }
        Thread t = Thread.currentThread();
        hint(t, Reasons.NETWORK);
        try {
            LockSupport.parkNanos(nanos);
        } finally {
            unhint(t);
        }
    }

    /** The call-site hint left for {@code vt}'s park on this carrier, taken (cleared), or null. */
    private static String takeHint(Slot s, Thread vt) {
        if (s.hintVt != vt) {
            return null;
        }
        String hint = s.hint;
        s.hintVt = null;
        s.hint = null;
        return hint;
    }

    private static void hint(Thread t, String reason) {
        if (t.isVirtual()) {
            Slot s = SLOTS.get();
            s.hintVt = t;
            s.hint = reason;
        }
    }

    /** Drops an unused hint (the park returned without yielding); the slot is re-read: the thread may have moved. */
    private static void unhint(Thread t) {
        if (t.isVirtual()) {
            Slot s = SLOTS.get();
            if (s.hintVt == t) {
                s.hintVt = null;
                s.hint = null;
            }
        }
    }

    /**
     * In a JVM with a patched java.base (no agent), the trace named on the command line starts
     * with the first hook call (the program's first scheduling event), on the thread that makes
     * it, before that event is written. Last in this class's initialization: everything above is
     * ready.
     */
    static {
        String capture = System.getProperty(PatchedJdk.OPTIONS_PROPERTY);
        if (capture != null) {
            warmUp();
            AgentMain.startPatched(capture);
        }
    }

    /** Touches everything the hooks use, so that no hook loads a class at a delicate point. */
    static void warmUp() {
        SLOTS.get();
        Reasons.park(new Object());
        Emit.stacksOnBlock();
        EventStacks.current();
        pinnedWords("NATIVE");
        Timeouts.of(Reasons.SLEEP, 1_500_000);
        dev.loomtracer.hooks.core.MonitorEnterLines.warmUp();
    }
}

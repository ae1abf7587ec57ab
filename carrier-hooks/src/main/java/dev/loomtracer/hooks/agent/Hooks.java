package dev.loomtracer.hooks.agent;

import dev.loomtracer.engine.CapturedStack;
import dev.loomtracer.engine.Tracer;
import dev.loomtracer.hooks.core.Emit;
import dev.loomtracer.hooks.core.Reasons;
import dev.loomtracer.hooks.core.Stacks;
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
 *     would race with that next run.) What it waits on and its stack are taken earlier, on the
 *     thread itself, at the entry of {@code yieldContinuation}, and handed over in a
 *     carrier-local slot: nothing else runs on the carrier in between;</li>
 * <li>end: at the exit of {@code afterDone()}, so that the threads its termination releases
 *     (joiners) are unblocked by it;</li>
 * <li>create/unblock: at the call into the scheduler in each submit method, on the thread
 *     submitting (the creator, the unparker, the JDK's unblocker thread, or a carrier running a
 *     timer: then the scheduler itself, no G);</li>
 * <li>pinned block: entry/exit of {@code parkOnCarrierThread}, as a syscall holding the carrier,
 *     with the pinning reason from {@code VThreadContinuation.onPinned} logged first.</li>
 * </ul>
 * Invariant: with tracing off every hook is one opaque load and a branch; hooks never park and
 * never throw; a hook on the virtual thread side only stashes data and never enters the tracer
 * (a park inside a trace write would otherwise re-enter it).
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
        /** Stashed at yieldContinuation entry by {@code yieldVt}, in state {@code yieldState}. */
        Thread yieldVt;
        int yieldState;
        String reason;
        CapturedStack stack;
        /** Why the last yield failed (Continuation.Pinned), set by onPinned. */
        String pinned;
        /** The thread whose pinned block is open on this carrier. */
        Thread syscallVt;
        /** The thread inside afterDone on this carrier: it releases its joiners. */
        Thread exiting;

        void clearYield() {
            yieldVt = null;
            reason = null;
            stack = null;
            pinned = null;
        }
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

    /** afterYield entry: {@code vt} unmounted; its state still says why. */
    public static void afterYield(Thread vt) {
        if (!T.enabled()) {
            return;
        }
        int st = VThreads.state(vt);
        Slot s = SLOTS.get();
        s.carrier = true;
        String reason;
        CapturedStack stack = null;
        if (s.yieldVt == vt && s.yieldState == st) {
            reason = s.reason;
            stack = s.stack;
            s.clearYield();
        } else if (st == BLOCKING) {
            reason = Reasons.MONITOR;
            stack = Emit.stacksOnBlock() ? Stacks.ofUnmounted(vt) : null;
        } else if (st == WAITING || st == TIMED_WAITING) {
            reason = Reasons.WAIT;
            stack = Emit.stacksOnBlock() ? Stacks.ofUnmounted(vt) : null;
        } else if (st == YIELDING) {
            reason = Reasons.YIELD;
        } else {
            // A park whose yieldContinuation ran before tracing started.
            reason = Reasons.park(LockSupport.getBlocker(vt));
        }
        if (st == YIELDING) {
            Emit.stop(vt, reason, stack);
        } else {
            Emit.block(vt, reason, stack);
        }
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
        if (st == YIELDED) {
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
            Emit.create(by, vt, Emit.stacksOnBlock() ? Stacks.current() : null);
        } else if (st == UNPARKED || st == UNBLOCKED) {
            Emit.unblock(vt, by, Emit.stacksAll() ? Stacks.current() : null);
        }
    }

    // ------------------------------------------------------------------ virtual-thread side

    /** yieldContinuation entry, on {@code vt}: stash why it yields (and its stack) for afterYield. */
    public static void beforeYield(Thread vt) {
        if (!T.enabled()) {
            return;
        }
        Slot s = SLOTS.get();
        int st = VThreads.state(vt);
        String reason;
        CapturedStack stack = null;
        if (st == YIELDING) {
            reason = Reasons.YIELD;
            if (Emit.stacksAll()) {
                stack = Stacks.current();
            }
        } else {
            if (s.hintVt == vt) {
                reason = s.hint;
                s.hintVt = null;
                s.hint = null;
            } else {
                Object blocker = LockSupport.getBlocker(vt);
                reason = null;
                if (Reasons.blockerNeedsStack(blocker)) {
                    reason = Stacks.classifyCurrent();
                }
                if (reason == null) {
                    reason = Reasons.park(blocker);
                }
            }
            if (Emit.stacksOnBlock()) {
                stack = Stacks.current();
            }
        }
        s.yieldVt = vt;
        s.yieldState = st;
        s.reason = reason;
        s.stack = stack;
        s.pinned = null;
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
        String reason;
        CapturedStack stack;
        if (s.yieldVt == vt && (s.yieldState == PARKING || s.yieldState == TIMED_PARKING)) {
            reason = s.reason;
            stack = s.stack;
        } else {
            reason = Reasons.park(LockSupport.getBlocker(vt));
            stack = Emit.stacksOnBlock() ? Stacks.current() : null;
        }
        String why = s.pinned != null ? s.pinned : "pinned";
        s.clearYield();
        s.syscallVt = vt;
        Emit.pinnedBegin(vt, reason + " while pinned (" + why + ")", stack);
    }

    /** parkOnCarrierThread exit, on {@code vt}: the pinned block is over. */
    public static void pinnedParkEnd(Thread vt) {
        if (T.enabled()) {
            Slot s = SLOTS.get();
            if (s.syscallVt == vt) {
                s.syscallVt = null;
                Emit.pinnedEnd(vt);
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

    /** Touches everything the hooks use, so that no hook loads a class at a delicate point. */
    static void warmUp() {
        SLOTS.get();
        Reasons.park(new Object());
        Emit.stacksOnBlock();
        Stacks.current();
        new Slot().clearYield();
        pinnedWords("NATIVE");
    }
}

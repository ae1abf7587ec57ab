package dev.loomtracer.hooks.core;

import jdk.internal.vm.Continuation;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;

/**
 * Read access to the private state of {@code java.lang.VirtualThread} that both capture paths
 * need: its scheduling state, its continuation (for the stack of an unmounted thread), and the
 * thread behind the {@code runContinuation} task a scheduler is handed.
 *
 * <p>Invariant: the state constants are read from the JDK's own class at initialization, never
 * assumed, so a JDK that renumbers them still reads right; a JDK that removed one fails here,
 * at initialization, with a message, and not later inside a hook.
 *
 * <p>Needs {@code java.lang} opened to this class's module: {@code --add-opens
 * java.base/java.lang=ALL-UNNAMED} on the tracing-scheduler path ({@code =dev.loomtracer.hooks}
 * on the module path, with {@code --add-exports java.base/jdk.internal.vm=dev.loomtracer.hooks});
 * the agent opens it itself.
 */
public final class VThreads {
    private VThreads() {}

    /** Who the JDK's packages must be opened or exported to: this module, or the class path's unnamed ones. */
    private static final String TARGET = VThreads.class.getModule().isNamed() ? VThreads.class.getModule().getName()
            : "ALL-UNNAMED";
    public static final String OPEN_OPTION = "--add-opens java.base/java.lang=" + TARGET;

    public static final Class<?> VIRTUAL_THREAD;
    private static final VarHandle STATE;
    private static final VarHandle CONT;
    private static final VarHandle TIMEOUT;
    private static final VarHandle TIMEOUT_TASK;
    private static final MethodHandle TASK_THREAD;
    /** (Thread) Runnable: the program's task of a virtual thread, or null if not reachable. */
    private static final MethodHandle USER_TASK;

    public static final int NEW, STARTED, RUNNING, PARKING, PARKED, PINNED, TIMED_PARKING, TIMED_PARKED,
            TIMED_PINNED, UNPARKED, YIELDING, YIELDED, BLOCKING, BLOCKED, UNBLOCKED, WAITING, WAIT,
            TIMED_WAITING, TIMED_WAIT, TERMINATED, SUSPENDED;

    static {
        if (!Object.class.getModule().isExported("jdk.internal.vm", VThreads.class.getModule())) {
            // Else the Continuation below fails as an IllegalAccessError (the class path's flags cover it).
            throw new IllegalStateException("Loom Tracer needs the JDK's jdk.internal.vm exported to it: start the JVM with"
                    + " --add-exports java.base/jdk.internal.vm=" + TARGET + " " + OPEN_OPTION);
        }
        try {
            VIRTUAL_THREAD = Class.forName("java.lang.VirtualThread");
            MethodHandles.Lookup l = privateLookup(VIRTUAL_THREAD);
            STATE = l.findVarHandle(VIRTUAL_THREAD, "state", int.class);
            CONT = l.findVarHandle(VIRTUAL_THREAD, "cont", Continuation.class);
            TIMEOUT = l.findVarHandle(VIRTUAL_THREAD, "timeout", long.class);
            TIMEOUT_TASK = l.findVarHandle(VIRTUAL_THREAD, "timeoutTask", java.util.concurrent.Future.class);
            NEW = constant(l, "NEW");
            STARTED = constant(l, "STARTED");
            RUNNING = constant(l, "RUNNING");
            PARKING = constant(l, "PARKING");
            PARKED = constant(l, "PARKED");
            PINNED = constant(l, "PINNED");
            TIMED_PARKING = constant(l, "TIMED_PARKING");
            TIMED_PARKED = constant(l, "TIMED_PARKED");
            TIMED_PINNED = constant(l, "TIMED_PINNED");
            UNPARKED = constant(l, "UNPARKED");
            YIELDING = constant(l, "YIELDING");
            YIELDED = constant(l, "YIELDED");
            BLOCKING = constant(l, "BLOCKING");
            BLOCKED = constant(l, "BLOCKED");
            UNBLOCKED = constant(l, "UNBLOCKED");
            WAITING = constant(l, "WAITING");
            WAIT = constant(l, "WAIT");
            TIMED_WAITING = constant(l, "TIMED_WAITING");
            TIMED_WAIT = constant(l, "TIMED_WAIT");
            TERMINATED = constant(l, "TERMINATED");
            SUSPENDED = constant(l, "SUSPENDED");
            TASK_THREAD = taskThreadGetter(l);
            USER_TASK = userTaskGetter();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Loom Tracer cannot read java.lang.VirtualThread of this JDK ("
                    + Runtime.version() + "): " + e, e);
        }
    }

    /** A private lookup in {@code c}; fails with the option to add when java.lang is not open. */
    public static MethodHandles.Lookup privateLookup(Class<?> c) {
        try {
            return MethodHandles.privateLookupIn(c, MethodHandles.lookup());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("Loom Tracer needs the JDK's java.lang package opened to it: start the JVM with "
                    + OPEN_OPTION + " (or use the Loom Tracer agent, which opens it itself)", e);
        }
    }

    private static int constant(MethodHandles.Lookup l, String name) throws ReflectiveOperationException {
        return (int) l.findStaticVarHandle(VIRTUAL_THREAD, name, int.class).get();
    }

    /**
     * The getter of the one field of the {@code runContinuation} method reference (a hidden
     * class), typed {@code (Runnable) Thread}. Found on a virtual thread that is never started.
     */
    private static MethodHandle taskThreadGetter(MethodHandles.Lookup vt) throws ReflectiveOperationException {
        Thread probe = Thread.ofVirtual().unstarted(() -> { });
        Object task = vt.findVarHandle(VIRTUAL_THREAD, "runContinuation", Runnable.class).get(probe);
        Class<?> taskClass = task.getClass();
        for (Field f : taskClass.getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers()) && f.getType() == VIRTUAL_THREAD) {
                MethodHandle g = privateLookup(taskClass).unreflectGetter(f);
                return g.asType(MethodType.methodType(Thread.class, Runnable.class));
            }
        }
        throw new NoSuchFieldException("the VirtualThread field of " + taskClass);
    }

    /**
     * The getter of a virtual thread's own task: its continuation's target (the JDK's wrapper)
     * holds it. Needs jdk.internal.vm opened (the agent opens it); null without.
     */
    private static MethodHandle userTaskGetter() {
        try {
            MethodHandles.Lookup cl = MethodHandles.privateLookupIn(Continuation.class, MethodHandles.lookup());
            MethodHandle target = cl.findGetter(Continuation.class, "target", Runnable.class);
            Thread probe = Thread.ofVirtual().unstarted(() -> { });
            Runnable wrapper = (Runnable) target.invoke((Continuation) CONT.get(probe));
            Class<?> wc = wrapper.getClass();
            for (Field f : wc.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers()) && f.getType() == Runnable.class) {
                    MethodHandle task = privateLookup(wc).unreflectGetter(f).asType(MethodType.methodType(Runnable.class, Runnable.class));
                    MethodHandle cont = MethodHandles.filterReturnValue(
                            MethodHandles.lookup().findStatic(VThreads.class, "continuation",
                                    MethodType.methodType(Continuation.class, Thread.class)), target);
                    return MethodHandles.filterReturnValue(cont, task);
                }
            }
        } catch (Throwable e) {
            // not reachable: creations are named after the thread instead
        }
        return null;
    }

    /** The program's task a virtual thread runs, or null if this JVM does not let us see it. */
    public static Runnable userTask(Thread vt) {
        if (USER_TASK == null) {
            return null;
        }
        try {
            return (Runnable) USER_TASK.invokeExact(vt);
        } catch (Throwable e) {
            return null;
        }
    }

    public static boolean isVirtualThread(Thread t) {
        return t.getClass() == VIRTUAL_THREAD;
    }

    /** The scheduling state, without the SUSPENDED bit. */
    public static int state(Thread vt) {
        return (int) STATE.getVolatile(vt) & ~SUSPENDED;
    }

    /** True if a thread dump has the thread suspended (its state then is not what a run sees). */
    public static boolean suspended(Thread vt) {
        return ((int) STATE.getVolatile(vt) & SUSPENDED) != 0;
    }

    /**
     * The time the wait {@code vt} is in (or entering) asked for, in nanoseconds, or 0 if it is
     * untimed or unknown. JDK 25's {@code VirtualThread} keeps it in {@code timeout}, written by
     * the thread before it yields and read by {@code afterYield} to schedule the wake-up:
     * nanoseconds for a park (TIMED_PARKING, TIMED_PARKED, TIMED_PINNED), milliseconds for an
     * {@code Object.wait} (TIMED_WAITING, TIMED_WAIT, set by the VM). A thread already woken
     * (UNPARKED, UNBLOCKED: the tracing scheduler looks after the run) was timed if its
     * {@code timeoutTask} is still set (cleared only when it runs again): a park for UNPARKED, an
     * {@code Object.wait} for UNBLOCKED (a monitor enter has no timeout task).
     */
    public static long timeoutNanos(Thread vt, int state) {
        if (state == TIMED_PARKING || state == TIMED_PARKED || state == TIMED_PINNED) {
            return (long) TIMEOUT.get(vt);
        }
        if (state == TIMED_WAITING || state == TIMED_WAIT) {
            return millisToNanos((long) TIMEOUT.get(vt));
        }
        if ((state == UNPARKED || state == UNBLOCKED) && TIMEOUT_TASK.get(vt) != null) {
            long t = (long) TIMEOUT.get(vt);
            return state == UNPARKED ? t : millisToNanos(t);
        }
        return 0;
    }

    private static long millisToNanos(long ms) {
        return ms >= Long.MAX_VALUE / 1_000_000L ? Long.MAX_VALUE : ms * 1_000_000L;
    }

    public static Continuation continuation(Thread vt) {
        return (Continuation) CONT.get(vt);
    }

    /**
     * The virtual thread whose {@code runContinuation} {@code task} is, or null if the task is
     * something else (a scheduler may be handed other tasks).
     */
    public static Thread threadOf(Runnable task) {
        try {
            return (Thread) TASK_THREAD.invokeExact(task);
        } catch (ClassCastException e) {
            return null;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** The state's name, for messages and tests. */
    public static String stateName(int s) {
        if (s == NEW) return "NEW";
        if (s == STARTED) return "STARTED";
        if (s == RUNNING) return "RUNNING";
        if (s == PARKING) return "PARKING";
        if (s == PARKED) return "PARKED";
        if (s == PINNED) return "PINNED";
        if (s == TIMED_PARKING) return "TIMED_PARKING";
        if (s == TIMED_PARKED) return "TIMED_PARKED";
        if (s == TIMED_PINNED) return "TIMED_PINNED";
        if (s == UNPARKED) return "UNPARKED";
        if (s == YIELDING) return "YIELDING";
        if (s == YIELDED) return "YIELDED";
        if (s == BLOCKING) return "BLOCKING";
        if (s == BLOCKED) return "BLOCKED";
        if (s == UNBLOCKED) return "UNBLOCKED";
        if (s == WAITING) return "WAITING";
        if (s == WAIT) return "WAIT";
        if (s == TIMED_WAITING) return "TIMED_WAITING";
        if (s == TIMED_WAIT) return "TIMED_WAIT";
        if (s == TERMINATED) return "TERMINATED";
        return "state " + s;
    }
}

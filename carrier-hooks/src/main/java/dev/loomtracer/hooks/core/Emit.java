package dev.loomtracer.hooks.core;

import dev.loomtracer.TraceOptions;
import dev.loomtracer.engine.CapturedStack;
import dev.loomtracer.engine.TraceWriter;
import dev.loomtracer.engine.Tracer;

/**
 * One event each, written through the engine on the current carrier (or platform thread): the
 * acquire/release bracket both capture paths share.
 *
 * <p>Invariant: every method is called on the thread where the event happens (its M), after any
 * stack of it was captured (stacks are captured before acquire, on the thread they belong to),
 * and returns without effect when tracing is off or this M is already inside a write.
 */
public final class Emit {
    private Emit() {}

    public static final Tracer T = Tracer.GLOBAL;

    /** True if stacks go on block events and creations. */
    public static boolean stacksOnBlock() {
        return T.stackMode() != TraceOptions.Stacks.OFF;
    }

    /**
     * Whether the block about to be told gets a stack: never with stacks off, one in
     * {@link TraceOptions.Stacks#SAMPLE_ONE_IN} at random with {@code on-block}, always with
     * {@code every-block} and {@code all}. Ask once per event, before capturing anything: a
     * block that is not sampled costs no stack walk.
     */
    public static boolean takesBlockStack() {
        return T.takesBlockStack();
    }

    /** Whether the creation about to be told gets its creator's stack: {@link Tracer#takesCreateOrAnnotateStack}. */
    public static boolean takesCreationStack() {
        return T.takesCreateOrAnnotateStack();
    }

    /** True if every block gets a stack ({@code every-block} or {@code all}), none left to sampling. */
    public static boolean stacksEveryBlock() {
        TraceOptions.Stacks m = T.stackMode();
        return m == TraceOptions.Stacks.EVERY_BLOCK || m == TraceOptions.Stacks.ALL;
    }

    /** True if stacks go on every event (unblocks and stops too). */
    public static boolean stacksAll() {
        return T.stackMode() == TraceOptions.Stacks.ALL;
    }

    /** {@code childStack}: where the child starts ({@link EventStacks#entryOf}); {@code stack}: the creator's. */
    public static void create(Thread creator, Thread child, CapturedStack childStack, CapturedStack stack) {
        TraceWriter w = T.acquire();
        if (w != null) {
            try {
                w.goCreate(creator, child, false, childStack, stack);
            } finally {
                T.release(w);
            }
        }
    }

    public static void start(Thread vt) {
        TraceWriter w = T.acquire();
        if (w != null) {
            try {
                w.goStart(vt);
            } finally {
                T.release(w);
            }
        }
    }

    public static void block(Thread vt, String reason, CapturedStack stack) {
        TraceWriter w = T.acquire();
        if (w != null) {
            try {
                w.goBlock(vt, reason, stack);
            } finally {
                T.release(w);
            }
        }
    }

    public static void stop(Thread vt, String reason, CapturedStack stack) {
        TraceWriter w = T.acquire();
        if (w != null) {
            try {
                w.goStop(vt, reason, stack);
            } finally {
                T.release(w);
            }
        }
    }

    public static void destroy(Thread vt) {
        TraceWriter w = T.acquire();
        if (w != null) {
            try {
                w.goDestroy(vt);
            } finally {
                T.release(w);
            }
        }
    }

    /** {@code unblocker} null: the scheduler itself (a timer, a carrier between tasks). */
    public static void unblock(Thread target, Thread unblocker, CapturedStack stack) {
        TraceWriter w = T.acquire();
        if (w != null) {
            try {
                w.goUnblock(target, unblocker, stack);
            } finally {
                T.release(w);
            }
        }
    }

    /**
     * A pinned block begins: the reason as a log on the thread, then a syscall that holds the
     * carrier. Returns the trace that was told ({@link TraceWriter#session()}), or 0 if none;
     * {@link #pinnedEnd} tells the end only to that same trace.
     */
    public static long pinnedBegin(Thread vt, String why, CapturedStack stack) {
        TraceWriter w = T.acquire();
        long session = 0;
        if (w != null) {
            try {
                session = w.session();
                w.logOnCurrent(vt, Reasons.PINNED_LOG_KEY, why);
                w.syscallBegin(vt, stack);
            } finally {
                T.release(w);
            }
        }
        return session;
    }

    /**
     * The pinned block {@link #pinnedBegin} told to trace {@code begunIn} ends. Told only to that
     * same trace: the end of a block begun in an earlier trace (stopped, and another started,
     * while the thread was parked) is not told; that trace never saw the block begin.
     */
    public static void pinnedEnd(Thread vt, long begunIn) {
        TraceWriter w = T.acquire();
        if (w != null) {
            try {
                if (w.session() == begunIn) {
                    w.syscallEnd(vt);
                }
            } finally {
                T.release(w);
            }
        }
    }

    public static void procStart() {
        TraceWriter w = T.acquire();
        if (w != null) {
            try {
                w.procStart();
            } finally {
                T.release(w);
            }
        }
    }

    public static void procStop() {
        TraceWriter w = T.acquire();
        if (w != null) {
            try {
                w.procStop();
            } finally {
                T.release(w);
            }
        }
    }
}

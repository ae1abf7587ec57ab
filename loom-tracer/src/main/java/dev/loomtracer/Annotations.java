package dev.loomtracer;

import dev.loomtracer.engine.CallerStacks;
import dev.loomtracer.engine.CapturedStack;
import dev.loomtracer.engine.TraceWriter;
import dev.loomtracer.engine.Tracer;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The one path from the annotation API (tasks, regions, logs) into the engine.
 *
 * <p>Invariant: with tracing off each call costs one load and allocates nothing; a stack, when
 * the trace wants one, is captured before the tracer is entered, never inside a write.
 */
final class Annotations {
    private Annotations() {}

    private static final AtomicLong NEXT_TASK = new AtomicLong(1);

    static long newTaskId() {
        return NEXT_TASK.getAndIncrement();
    }

    private static CapturedStack stack(Tracer t) {
        return t.takesCreateOrAnnotateStack() ? CallerStacks.current() : null;
    }

    static void taskBegin(long id, long parent, String name) {
        Tracer t = Tracer.GLOBAL;
        if (!t.enabled()) {
            return;
        }
        CapturedStack st = stack(t);
        TraceWriter w = t.acquire();
        if (w != null) {
            try {
                w.userTaskBegin(Thread.currentThread(), id, parent, name, st);
            } finally {
                t.release(w);
            }
        }
    }

    static void taskEnd(long id) {
        Tracer t = Tracer.GLOBAL;
        if (!t.enabled()) {
            return;
        }
        CapturedStack st = stack(t);
        TraceWriter w = t.acquire();
        if (w != null) {
            try {
                w.userTaskEnd(Thread.currentThread(), id, st);
            } finally {
                t.release(w);
            }
        }
    }

    static void region(boolean begin, long task, String name) {
        Tracer t = Tracer.GLOBAL;
        if (!t.enabled()) {
            return;
        }
        CapturedStack st = stack(t);
        TraceWriter w = t.acquire();
        if (w != null) {
            try {
                w.userRegion(Thread.currentThread(), begin, task, name, st);
            } finally {
                t.release(w);
            }
        }
    }

    static void log(long task, String key, String value) {
        Tracer t = Tracer.GLOBAL;
        if (!t.enabled()) {
            return;
        }
        CapturedStack st = stack(t);
        TraceWriter w = t.acquire();
        if (w != null) {
            try {
                w.userLog(Thread.currentThread(), task, key, value, st);
            } finally {
                t.release(w);
            }
        }
    }

    static boolean enabled() {
        return Tracer.GLOBAL.enabled();
    }
}

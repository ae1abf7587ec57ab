package dev.loomtracer.engine;

import dev.loomtracer.format.EventType;

import java.util.ArrayList;
import java.util.List;

/**
 * The stacks of the tracer's callers: captures the current thread's stack for an event (with
 * {@link StackWalker}), and makes a stack of frames a capture layer walked itself; both obey one
 * depth limit.
 *
 * <p>Invariant: the stack is the caller's, innermost first, without the tracer's own frames
 * at the top ({@link #isTracerFrame}) and at most
 * {@link #MAX_DEPTH} frames deep (the format allows 128). Capturing allocates: it runs only
 * when stacks are enabled.
 */
public final class CallerStacks {
    private CallerStacks() {}

    public static final int MAX_DEPTH = Math.min(64, EventType.MAX_FRAMES_PER_STACK);
    private static final StackWalker WALKER = StackWalker.getInstance();

    /** Callers' stacks by backtrace ({@link Backtraces}): resolved once per distinct stack. */
    private static final Backtraces.Cache<CapturedStack> CACHE = new Backtraces.Cache<>(4096, CallerStacks::fromElements);

    /**
     * The current thread's stack without the tracer's frames on top, as {@link #capture capture(0)},
     * the cheap way: a {@code new Throwable()} whose backtrace keys a cache of finished stacks
     * (1-2 µs on a hit for a typical stack, against ~10 µs or more for the walker); the walker
     * when backtraces cannot be read.
     */
    public static CapturedStack current() {
        if (TraceLockCheck.ON) {
            TraceLockCheck.outside("capturing a stack");
        }
        CapturedStack s = CACHE.get(new Throwable());
        return s != null ? s : capture(0);
    }

    private static CapturedStack fromElements(StackTraceElement[] st) {
        List<CapturedStack.Frame> out = new ArrayList<>();
        int i = 0;
        while (i < st.length && isTracerFrame(st[i].getClassName())) {
            i++;
        }
        for (; i < st.length && out.size() < MAX_DEPTH; i++) {
            out.add(frame(st[i].getClassName(), st[i].getMethodName(), st[i].getFileName(), st[i].getLineNumber()));
        }
        return new CapturedStack(out.toArray(new CapturedStack.Frame[0]));
    }

    /** The current thread's stack, skipping tracer frames and then {@code skip} more frames. */
    public static CapturedStack capture(int skip) {
        if (TraceLockCheck.ON) {
            TraceLockCheck.outside("capturing a stack");
        }
        List<CapturedStack.Frame> frames = WALKER.walk(s -> {
            List<CapturedStack.Frame> out = new ArrayList<>();
            s.dropWhile(f -> isTracerFrame(f.getClassName()))
                    .skip(skip)
                    .limit(MAX_DEPTH)
                    .forEach(f -> out.add(frameOf(f)));
            return out;
        });
        return new CapturedStack(frames.toArray(new CapturedStack.Frame[0]));
    }

    /**
     * The tracer's own frames, dropped from the top of a captured stack: its engine, its capture
     * layer's hooks and tracing scheduler, and its annotation API classes. Not every class under
     * {@code dev.loomtracer.}: a program there (the example server, a test workload) has frames of
     * its own, and a stack whose top frame is the program's (a monitor enter's, walked from the
     * unmounted continuation) lost all of them when the whole package counted as the tracer's.
     */
    public static boolean isTracerFrame(String cls) {
        return cls.startsWith("dev.loomtracer.engine.") || cls.startsWith("dev.loomtracer.hooks.agent.")
                || cls.startsWith("dev.loomtracer.hooks.core.") || cls.startsWith("dev.loomtracer.hooks.TracingScheduler")
                || cls.equals("dev.loomtracer.Annotations") || cls.equals("dev.loomtracer.Task")
                || cls.equals("dev.loomtracer.Region") || cls.equals("dev.loomtracer.LoomTrace");
    }

    /** A stack made of given frames (for capture layers that walk stacks themselves). */
    public static CapturedStack of(List<CapturedStack.Frame> frames) {
        if (TraceLockCheck.ON) {
            TraceLockCheck.outside("capturing a stack");
        }
        int n = Math.min(frames.size(), MAX_DEPTH);
        return new CapturedStack(frames.subList(0, n).toArray(new CapturedStack.Frame[0]));
    }

    static CapturedStack.Frame frameOf(StackWalker.StackFrame f) {
        return frame(f.getClassName(), f.getMethodName(), f.getFileName(), f.getLineNumber());
    }

    /** A frame as the format wants it: function {@code Class.method}, file {@code package/path/File.java}, line (0 if unknown). */
    public static CapturedStack.Frame frame(String cls, String method, String file, int line) {
        int dot = cls.lastIndexOf('.');
        String pkgPath = dot < 0 ? "" : cls.substring(0, dot + 1).replace('.', '/');
        String path = file == null ? pkgPath + "(unknown)" : pkgPath + file;
        return new CapturedStack.Frame(cls + "." + method, path, Math.max(0, line));
    }
}

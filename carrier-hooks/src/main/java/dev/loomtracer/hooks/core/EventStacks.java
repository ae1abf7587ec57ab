package dev.loomtracer.hooks.core;

import dev.loomtracer.engine.Backtraces;
import dev.loomtracer.engine.CapturedStack;
import dev.loomtracer.engine.CallerStacks;
import jdk.internal.vm.Continuation;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Stacks for events: of the current thread (a virtual thread about to park, a creator, an
 * unparker), or of an unmounted virtual thread's continuation (walked from its carrier while
 * nothing can mount it: between its yield and the moment it becomes runnable again).
 *
 * <p>The current thread's stack is taken the cheap way: {@code new Throwable()}, whose native
 * backtrace keys a cache of finished stacks ({@link Backtraces}), so the frames are resolved and
 * converted only the first time a stack is seen. If the JVM's backtrace is not the expected
 * shape, the walker is used instead.
 *
 * <p>Invariant: a stack starts at the first frame that is neither the tracer's nor the JDK's
 * virtual-thread machinery ({@code VirtualThread}, {@code Continuation}, the JavaLangAccess
 * bridge), so the top frame is the API the program called ({@code LockSupport.park},
 * {@code Thread.sleep}, {@code Object.wait0}, ...). Frames read {@code Class.method},
 * {@code package/path/File.java}, line, like the engine's own {@link CallerStacks}.
 */
public final class EventStacks {
    private EventStacks() {}

    /** A stack and what its top frames say the thread waits in ({@link Reasons#classify}), or null. */
    public record ClassifiedStack(CapturedStack stack, String waitsIn) {}

    /** Frames the classification of a block looks at, from the top. */
    static final int CLASSIFY_DEPTH = 24;

    private static final StackWalker WALKER = StackWalker.getInstance();
    private static final Set<String> MACHINERY = Set.of(
            "java.lang.VirtualThread", "java.lang.VirtualThread$VThreadContinuation",
            "jdk.internal.vm.Continuation", "java.lang.System$2", "java.lang.ThreadBuilders$VirtualThreadBuilder",
            "jdk.internal.misc.VirtualThreads", "java.lang.BaseVirtualThread");

    /** Stacks by backtrace ({@link Backtraces}): resolved once per distinct stack. */
    private static final Backtraces.Cache<ClassifiedStack> CACHE = new Backtraces.Cache<>(4096, EventStacks::fromElements);

    static boolean isMachinery(String cls) {
        return dev.loomtracer.engine.CallerStacks.isTracerFrame(cls) || MACHINERY.contains(cls);
    }

    /** The current thread's stack, without the tracer's and the virtual-thread machinery's frames on top. */
    public static CapturedStack current() {
        return currentClassified().stack();
    }

    /** What the current thread is blocking in, from its own stack; null if none of the known waits. */
    public static String classifyCurrent() {
        return currentClassified().waitsIn();
    }

    /** The current thread's stack and what it waits in, from the cache when this backtrace was seen before. */
    public static ClassifiedStack currentClassified() {
        ClassifiedStack c = CACHE.get(new Throwable());
        if (c != null) {
            return c;
        }
        return WALKER.walk(s -> {
            List<StackWalker.StackFrame> frames = s.limit(CallerStacks.MAX_DEPTH + 32).toList();
            return new ClassifiedStack(toStack(frames.stream()), Reasons.classify(frames.stream().limit(CLASSIFY_DEPTH)));
        });
    }

    private static ClassifiedStack fromElements(StackTraceElement[] st) {
        List<CapturedStack.Frame> out = new ArrayList<>();
        String waitsIn = null;
        int i = 0;
        for (int k = 0; k < st.length && k < CLASSIFY_DEPTH && waitsIn == null; k++) {
            waitsIn = Reasons.classify(st[k].getClassName(), st[k].getMethodName());
        }
        while (i < st.length && isMachinery(st[i].getClassName())) {
            i++;
        }
        for (; i < st.length && out.size() < CallerStacks.MAX_DEPTH; i++) {
            out.add(frame(st[i].getClassName(), st[i].getMethodName(), st[i].getFileName(), st[i].getLineNumber()));
        }
        return new ClassifiedStack(CallerStacks.of(out), waitsIn);
    }

    private static final java.util.concurrent.ConcurrentHashMap<String, CapturedStack> ENTRIES =
            new java.util.concurrent.ConcurrentHashMap<>();
    private static final String DEFAULT_ENTRY = "java.lang.VirtualThread.run";
    private static final ClassValue<String> TASK_ENTRY = new ClassValue<>() {
        @Override
        protected String computeValue(Class<?> c) {
            String n = c.getName();
            int hidden = n.indexOf('/');
            return (hidden < 0 ? n : n.substring(0, hidden)) + ".run";
        }
    };

    /**
     * The start stack of a new virtual thread, one frame naming what it runs: Go's tools name
     * a goroutine after the root frame of its start stack, and list a goroutine without one as a
     * runtime goroutine. The program's task class ({@code com.example.Worker.run},
     * {@code com.example.Main$$Lambda.run}); for the JDK's own wrappers (executors), the thread's
     * name without its number ({@code worker-}), else the wrapper's class.
     */
    public static CapturedStack entryOf(Thread vt) {
        Runnable task = VThreads.userTask(vt);
        String byTask = task == null ? null : TASK_ENTRY.get(task.getClass());
        if (byTask != null && !byTask.startsWith("java.")) {
            return entry(byTask);
        }
        String name = vt.getName();
        if (name.isEmpty()) {
            return entry(byTask != null ? byTask : DEFAULT_ENTRY);
        }
        int end = name.length();
        int hash = 0;
        while (end > 0 && Character.isDigit(name.charAt(end - 1))) {
            end--;
        }
        if (end == 0) {
            return entry(name);
        }
        for (int i = 0; i < end; i++) {
            hash = 31 * hash + name.charAt(i);
        }
        // Threads of one executor share a prefix (worker-1, worker-2, ...): found by the prefix in
        // place, without cutting it out of each new thread's name.
        int slot = (hash ^ (hash >>> 16)) & (BY_PREFIX.length - 1);
        Prefix p = BY_PREFIX[slot];
        if (p != null && p.prefix.length() == end && name.regionMatches(0, p.prefix, 0, end)) {
            return p.stack;
        }
        String prefix = name.substring(0, end);
        CapturedStack st = entry(prefix);
        if (st.frame(0).function().equals(prefix)) {
            BY_PREFIX[slot] = new Prefix(prefix, st); // racy by design: entries are immutable
        }
        return st;
    }

    /** A name prefix and its start stack; {@link #BY_PREFIX} is direct-mapped by the prefix's hash. */
    private record Prefix(String prefix, CapturedStack stack) {}

    private static final Prefix[] BY_PREFIX = new Prefix[256];

    /** The one-frame start stack named {@code fn} (the default one once 4096 names are known). */
    private static CapturedStack entry(String fn) {
        CapturedStack s = ENTRIES.get(fn);
        if (s == null) {
            if (ENTRIES.size() >= 4096) {
                fn = DEFAULT_ENTRY;
            }
            s = ENTRIES.computeIfAbsent(fn, f -> CallerStacks.of(List.of(new CapturedStack.Frame(f, "(virtual thread)", 0))));
        }
        return s;
    }

    /** The stack of {@code vt}, which must be unmounted and unable to mount until this returns. */
    public static CapturedStack ofUnmounted(Thread vt) {
        Continuation c = VThreads.continuation(vt);
        return c.stackWalker().walk(EventStacks::toStack);
    }

    private static final Set<StackWalker.Option> WITH_CLASSES = java.util.EnumSet.of(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    /**
     * The stack of {@code vt}, unmounted (as {@link #ofUnmounted}) because it blocks in a contended
     * monitor enter: its top frame is at the line of the {@code synchronized} that blocks
     * ({@link MonitorEnterLines}), or line 0 if the bytecode does not show it, never the line of
     * the statement after it, where the JVM froze the frame.
     */
    public static CapturedStack ofUnmountedMonitorEnter(Thread vt) {
        Continuation c = VThreads.continuation(vt);
        return c.stackWalker(WITH_CLASSES).walk(s -> {
            List<CapturedStack.Frame> out = new ArrayList<>();
            s.dropWhile(f -> isMachinery(f.getClassName()))
                    .limit(CallerStacks.MAX_DEPTH)
                    .forEach(f -> out.add(frame(f.getClassName(), f.getMethodName(), f.getFileName(),
                            out.isEmpty() ? MonitorEnterLines.lineOf(f) : f.getLineNumber())));
            return CallerStacks.of(out);
        });
    }

    /** Like {@link #classifyCurrent} for an unmounted virtual thread. */
    public static String classifyUnmounted(Thread vt) {
        Continuation c = VThreads.continuation(vt);
        return c.stackWalker().walk(s -> Reasons.classify(s.limit(CLASSIFY_DEPTH)));
    }

    private static CapturedStack toStack(Stream<StackWalker.StackFrame> s) {
        List<CapturedStack.Frame> out = new ArrayList<>();
        s.dropWhile(f -> isMachinery(f.getClassName()))
                .limit(CallerStacks.MAX_DEPTH)
                .forEach(f -> out.add(frame(f.getClassName(), f.getMethodName(), f.getFileName(), f.getLineNumber())));
        return CallerStacks.of(out);
    }

    static CapturedStack.Frame frame(String cls, String method, String file, int line) {
        return CallerStacks.frame(cls, method, file, line);
    }
}

package dev.loomtracer.hooks.core;

import dev.loomtracer.engine.CapturedStack;
import dev.loomtracer.engine.StackCapture;
import jdk.internal.vm.Continuation;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Stacks for events: of the current thread (a virtual thread about to park, a creator), or of
 * an unmounted virtual thread's continuation (walked from its carrier while nothing can mount
 * it: between its yield and the moment it becomes runnable again).
 *
 * <p>Invariant: a stack starts at the first frame that is neither the tracer's nor the JDK's
 * virtual-thread machinery ({@code VirtualThread}, {@code Continuation}, the JavaLangAccess
 * bridge), so the top frame is the API the program called ({@code LockSupport.park},
 * {@code Thread.sleep}, {@code Object.wait0}, ...). Frames read {@code Class.method},
 * {@code package/path/File.java}, line, like the engine's own {@link StackCapture}.
 */
public final class Stacks {
    private Stacks() {}

    /** Frames the classification of a block looks at, from the top. */
    static final int CLASSIFY_DEPTH = 24;

    private static final StackWalker WALKER = StackWalker.getInstance();
    private static final Set<String> MACHINERY = Set.of(
            "java.lang.VirtualThread", "java.lang.VirtualThread$VThreadContinuation",
            "jdk.internal.vm.Continuation", "java.lang.System$2", "java.lang.ThreadBuilders$VirtualThreadBuilder",
            "jdk.internal.misc.VirtualThreads", "java.lang.BaseVirtualThread");

    static boolean isMachinery(String cls) {
        return cls.startsWith("dev.loomtracer.") || MACHINERY.contains(cls);
    }

    /** The current thread's stack, without the tracer's and the virtual-thread machinery's frames on top. */
    public static CapturedStack current() {
        return WALKER.walk(Stacks::toStack);
    }

    /** The stack of {@code vt}, which must be unmounted and unable to mount until this returns. */
    public static CapturedStack ofUnmounted(Thread vt) {
        Continuation c = VThreads.continuation(vt);
        return c.stackWalker().walk(Stacks::toStack);
    }

    /** What the current thread is blocking in, from its own stack ({@link Reasons#classify}); null if nothing known. */
    public static String classifyCurrent() {
        return WALKER.walk(s -> Reasons.classify(s.limit(CLASSIFY_DEPTH)));
    }

    /** Like {@link #classifyCurrent} for an unmounted virtual thread. */
    public static String classifyUnmounted(Thread vt) {
        Continuation c = VThreads.continuation(vt);
        return c.stackWalker().walk(s -> Reasons.classify(s.limit(CLASSIFY_DEPTH)));
    }

    private static CapturedStack toStack(Stream<StackWalker.StackFrame> s) {
        List<CapturedStack.Frame> out = new ArrayList<>();
        s.dropWhile(f -> isMachinery(f.getClassName()))
                .limit(StackCapture.MAX_DEPTH)
                .forEach(f -> out.add(frame(f)));
        return StackCapture.of(out);
    }

    static CapturedStack.Frame frame(StackWalker.StackFrame f) {
        String cls = f.getClassName();
        String file = f.getFileName();
        int dot = cls.lastIndexOf('.');
        String pkgPath = dot < 0 ? "" : cls.substring(0, dot + 1).replace('.', '/');
        String path = file == null ? pkgPath + "(unknown)" : pkgPath + file;
        return new CapturedStack.Frame(cls + "." + f.getMethodName(), path, Math.max(0, f.getLineNumber()));
    }
}

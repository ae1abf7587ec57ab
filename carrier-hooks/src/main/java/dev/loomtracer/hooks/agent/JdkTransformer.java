package dev.loomtracer.hooks.agent;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.CodeElement;
import java.lang.classfile.CodeTransform;
import java.lang.classfile.MethodModel;
import java.lang.classfile.MethodTransform;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.classfile.instruction.ReturnInstruction;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Inserts calls to {@link Hooks} into {@code java.lang.VirtualThread}, its
 * {@code VThreadContinuation}, and {@code sun.nio.ch.Poller}, with the JDK's
 * {@code java.lang.classfile} API. Retransformation-safe: no member is added or removed, only
 * static calls that leave the operand stack as they found it, or one call replaced by a static
 * call of the same stack effect.
 *
 * <p>Invariant: a class is changed all or nothing. Each edit names the method (by name and
 * descriptor) and the instruction it expects; if any required edit finds nothing to change, the
 * JDK's code is not what this was written against (JDK 25), and the class is left untouched and
 * the reason recorded ({@link #problems()}), rather than instrumented halfway.
 */
final class JdkTransformer implements ClassFileTransformer {
    static final String VIRTUAL_THREAD = "java/lang/VirtualThread";
    static final String VTHREAD_CONTINUATION = "java/lang/VirtualThread$VThreadContinuation";
    static final String POLLER = "sun/nio/ch/Poller";
    static final String FORK_JOIN_POOL = "java/util/concurrent/ForkJoinPool";

    private static final ClassDesc HOOKS = ClassDesc.of("dev.loomtracer.hooks.agent.Hooks"); // by name: building a patch must not load the hooks
    private static final ClassDesc THREAD = ClassDesc.of("java.lang.Thread");
    private static final MethodTypeDesc OF_THREAD = MethodTypeDesc.of(ConstantDescs.CD_void, THREAD);

    private final Map<String, String> done = new ConcurrentHashMap<>();
    private final Map<String, String> problems = new ConcurrentHashMap<>();

    /** Classes changed, with what was done. */
    Map<String, String> done() {
        return done;
    }

    /** Classes left untouched, with why. */
    Map<String, String> problems() {
        return problems;
    }

    /** The JDK classes the transformer changes; the first one is required, the others refine. */
    static final List<String> TARGETS = List.of(VIRTUAL_THREAD, VTHREAD_CONTINUATION, FORK_JOIN_POOL, POLLER);

    /**
     * The instrumented bytes of JDK class {@code internalName} (for a patched java.base, built
     * ahead of the program's start instead of by an agent).
     *
     * @throws IllegalStateException if the class is not what the edits expect
     */
    static byte[] instrument(String internalName, byte[] original) {
        JdkTransformer t = new JdkTransformer();
        byte[] out = t.transform(null, null, internalName, null, null, original);
        if (out == null) {
            throw new IllegalStateException(internalName.replace('/', '.') + " not instrumented: "
                    + t.problems().getOrDefault(internalName, "not a class the agent instruments"));
        }
        return out;
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined,
                            ProtectionDomain pd, byte[] bytes) {
        if (loader != null || className == null) {
            return null;
        }
        try {
            List<Edit> edits = switch (className) {
                case VIRTUAL_THREAD -> virtualThreadEdits();
                case VTHREAD_CONTINUATION -> continuationEdits();
                case POLLER -> pollerEdits();
                case FORK_JOIN_POOL -> forkJoinPoolEdits();
                default -> null;
            };
            if (edits == null) {
                return null;
            }
            return apply(className, bytes, edits);
        } catch (Throwable t) {
            problems.put(className, "transformation failed: " + t);
            return null;
        }
    }

    private byte[] apply(String className, byte[] bytes, List<Edit> edits) {
        ClassFile cf = ClassFile.of();
        ClassModel cm = cf.parse(bytes);
        Map<String, Edit> byMethod = new LinkedHashMap<>();
        for (Edit e : edits) {
            byMethod.put(e.method, e);
        }
        byte[] out = cf.transformClass(cm, (cb, ce) -> {
            if (ce instanceof MethodModel mm && byMethod.containsKey(key(mm))) {
                cb.transformMethod(mm, MethodTransform.transformingCode(byMethod.get(key(mm)).transform()));
            } else {
                cb.with(ce);
            }
        });
        List<String> missing = new ArrayList<>();
        StringBuilder what = new StringBuilder();
        for (Edit e : edits) {
            if (e.required && !e.complete()) {
                missing.add(e.method + " (" + e.what + ": found " + e.count + ", expected " + e.min + ")");
            }
            what.append(what.isEmpty() ? "" : "; ").append(e.method).append(" x").append(e.count);
        }
        if (!missing.isEmpty()) {
            problems.put(className, "the JDK's code differs from what the agent expects: " + String.join(", ", missing));
            return null;
        }
        done.put(className, what.toString());
        return out;
    }

    private static String key(MethodModel m) {
        return m.methodName().stringValue() + m.methodType().stringValue();
    }

    // ------------------------------------------------------------------ the edits

    private static List<Edit> virtualThreadEdits() {
        List<Edit> l = new ArrayList<>();
        l.add(Edit.beforeCall("runContinuation()V", 1, true, "call mount()",
                i -> is(i, VIRTUAL_THREAD, "mount", "()V"),
                b -> hook(b, "beforeMount")));
        l.add(Edit.atStart("yieldContinuation()Z", true, b -> hook(b, "beforeYield")));
        l.add(Edit.atStart("afterYield()V", true, b -> hook(b, "afterYield")));
        l.add(Edit.atStartAndReturns("afterDone()V", true, b -> hook(b, "afterDoneEnter"), b -> hook(b, "afterDoneExit")));
        l.add(Edit.beforeCall("submitRunContinuation(Ljava/util/concurrent/Executor;Z)V", 2, true, "call Executor.execute",
                i -> is(i, "java/util/concurrent/Executor", "execute", "(Ljava/lang/Runnable;)V"),
                b -> hook(b, "submit")));
        l.add(Edit.beforeCall("externalSubmitRunContinuation(Ljava/util/concurrent/ForkJoinPool;)V", 1, true,
                "call ForkJoinPool.externalSubmit", i -> is(i, "java/util/concurrent/ForkJoinPool", "externalSubmit", null),
                b -> hook(b, "submit")));
        l.add(Edit.beforeCall("lazySubmitRunContinuation()V", 1, true, "call ForkJoinPool.lazySubmit",
                i -> is(i, "java/util/concurrent/ForkJoinPool", "lazySubmit", null),
                b -> hook(b, "submit")));
        l.add(Edit.beforeCall("externalSubmitRunContinuationOrThrow()V", 1, true, "call ForkJoinPool.externalSubmit",
                i -> is(i, "java/util/concurrent/ForkJoinPool", "externalSubmit", null),
                b -> hook(b, "submit")));
        l.add(Edit.atStartAndReturns("parkOnCarrierThread(ZJ)V", true,
                b -> {
                    b.aload(0);
                    b.iload(1);
                    b.invokestatic(HOOKS, "pinnedParkBegin", MethodTypeDesc.of(ConstantDescs.CD_void, THREAD, ConstantDescs.CD_boolean));
                },
                b -> hook(b, "pinnedParkEnd")));
        // A thread dump suspends an unmounted thread, and resubmits it if it may have missed a
        // run: for a thread that was already runnable that submit is a duplicate, not an unblock.
        l.add(Edit.storeAndAroundCall("tryGetStackTrace()[Ljava/lang/StackTraceElement;", "state read and resubmit",
                (b, slot) -> {
                    b.aload(0);
                    b.iload(slot);
                    b.invokestatic(HOOKS, "stackTraceState", MethodTypeDesc.of(ConstantDescs.CD_void, THREAD, ConstantDescs.CD_int));
                },
                i -> is(i, VIRTUAL_THREAD, "submitRunContinuation", "()V"),
                b -> hook(b, "resubmitBegin"),
                b -> b.invokestatic(HOOKS, "resubmitEnd", MethodTypeDesc.of(ConstantDescs.CD_void))));
        l.add(Edit.replaceCall("sleepNanos(J)V", 1, false, "call parkNanos(long)",
                i -> is(i, VIRTUAL_THREAD, "parkNanos", "(J)V"),
                b -> b.invokestatic(HOOKS, "sleepParkNanos", MethodTypeDesc.of(ConstantDescs.CD_void, THREAD, ConstantDescs.CD_long))));
        return l;
    }

    private static List<Edit> continuationEdits() {
        return List.of(Edit.atStart("onPinned(Ljdk/internal/vm/Continuation$Pinned;)V", true, b -> {
            b.aload(1);
            b.invokestatic(HOOKS, "onPinned", MethodTypeDesc.of(ConstantDescs.CD_void, ConstantDescs.CD_Object));
        }));
    }

    private static List<Edit> pollerEdits() {
        String poll = "poll(IJLjava/util/function/BooleanSupplier;)V";
        Edit park = Edit.replaceCall(poll, 1, true, "call LockSupport.park()",
                i -> is(i, "java/util/concurrent/locks/LockSupport", "park", "()V"),
                b -> b.invokestatic(HOOKS, "ioPark", MethodTypeDesc.of(ConstantDescs.CD_void)));
        Edit parkNanos = Edit.replaceCall(poll, 1, true, "call LockSupport.parkNanos(long)",
                i -> is(i, "java/util/concurrent/locks/LockSupport", "parkNanos", "(J)V"),
                b -> b.invokestatic(HOOKS, "ioParkNanos", MethodTypeDesc.of(ConstantDescs.CD_void, ConstantDescs.CD_long)));
        return List.of(Edit.both(park, parkNanos));
    }

    /** A carrier with nothing to run parks in awaitWork: its P goes idle. */
    private static List<Edit> forkJoinPoolEdits() {
        ClassDesc unsafe = ClassDesc.of("jdk.internal.misc.Unsafe");
        return List.of(Edit.replaceCall("awaitWork(Ljava/util/concurrent/ForkJoinPool$WorkQueue;I)I", 1, true,
                "call Unsafe.park(boolean, long)", i -> is(i, "jdk/internal/misc/Unsafe", "park", "(ZJ)V"),
                b -> b.invokestatic(HOOKS, "carrierIdlePark",
                        MethodTypeDesc.of(ConstantDescs.CD_void, unsafe, ConstantDescs.CD_boolean, ConstantDescs.CD_long))));
    }

    private static void hook(CodeBuilder b, String name) {
        b.aload(0);
        b.invokestatic(HOOKS, name, OF_THREAD);
    }

    private static boolean is(InvokeInstruction i, String owner, String name, String descriptor) {
        return i.owner().asInternalName().equals(owner) && i.name().equalsString(name)
                && (descriptor == null || i.type().equalsString(descriptor));
    }

    /** Changes to one method's code, counting what they matched. */
    private static final class Edit {
        interface Match {
            boolean test(InvokeInstruction i);
        }

        final String method;
        final int min;
        final boolean required;
        final String what;
        private final Consumer<CodeBuilder> atStart;
        private final Consumer<CodeBuilder> beforeReturn;
        private final Match match;
        private final Consumer<CodeBuilder> beforeMatch;
        private final Consumer<CodeBuilder> replaceMatch;
        private final Edit also;
        private final Consumer<CodeBuilder> afterMatch;
        /** With {@link #afterFirstIntStore}: code after the method's first int store, given its slot. */
        private final java.util.function.BiConsumer<CodeBuilder, Integer> afterFirstIntStore;
        private boolean storedOnce;
        int count;

        private Edit(String method, int min, boolean required, String what, Consumer<CodeBuilder> atStart,
                     Consumer<CodeBuilder> beforeReturn, Match match, Consumer<CodeBuilder> beforeMatch,
                     Consumer<CodeBuilder> replaceMatch, Edit also) {
            this.method = method;
            this.min = min;
            this.required = required;
            this.what = what;
            this.atStart = atStart;
            this.beforeReturn = beforeReturn;
            this.match = match;
            this.beforeMatch = beforeMatch;
            this.replaceMatch = replaceMatch;
            this.also = also;
            this.afterMatch = null;
            this.afterFirstIntStore = null;
        }

        private Edit(String method, String what, Match match, Consumer<CodeBuilder> beforeMatch, Consumer<CodeBuilder> afterMatch,
                     java.util.function.BiConsumer<CodeBuilder, Integer> afterFirstIntStore) {
            this.method = method;
            this.min = 1;
            this.required = true;
            this.what = what;
            this.atStart = null;
            this.beforeReturn = null;
            this.match = match;
            this.beforeMatch = beforeMatch;
            this.replaceMatch = null;
            this.also = null;
            this.afterMatch = afterMatch;
            this.afterFirstIntStore = afterFirstIntStore;
        }

        /**
         * Code after the method's first int store (its first local: a read state, say), and
         * around a matched call.
         */
        static Edit storeAndAroundCall(String method, String what, java.util.function.BiConsumer<CodeBuilder, Integer> afterStore,
                                       Match m, Consumer<CodeBuilder> before, Consumer<CodeBuilder> after) {
            return new Edit(method, what, m, before, after, afterStore);
        }

        static Edit atStart(String method, boolean required, Consumer<CodeBuilder> code) {
            return new Edit(method, 1, required, "entry", code, null, null, null, null, null);
        }

        static Edit atStartAndReturns(String method, boolean required, Consumer<CodeBuilder> start, Consumer<CodeBuilder> exit) {
            return new Edit(method, 1, required, "entry and returns", start, exit, null, null, null, null);
        }

        static Edit beforeCall(String method, int min, boolean required, String what, Match m, Consumer<CodeBuilder> code) {
            return new Edit(method, min, required, what, null, null, m, code, null, null);
        }

        static Edit replaceCall(String method, int min, boolean required, String what, Match m, Consumer<CodeBuilder> code) {
            return new Edit(method, min, required, what, null, null, m, null, code, null);
        }

        /** Two call edits on the same method; both must match. */
        static Edit both(Edit a, Edit b) {
            return new Edit(a.method, a.min, a.required, a.what, null, null, a.match, a.beforeMatch, a.replaceMatch, b);
        }

        CodeTransform transform() {
            return new CodeTransform() {
                @Override
                public void atStart(CodeBuilder b) {
                    if (atStart != null) {
                        atStart.accept(b);
                        count++;
                    }
                }

                @Override
                public void accept(CodeBuilder b, CodeElement e) {
                    if (afterFirstIntStore != null && !storedOnce && e instanceof java.lang.classfile.instruction.StoreInstruction st
                            && st.typeKind() == java.lang.classfile.TypeKind.INT) {
                        storedOnce = true;
                        b.with(e);
                        afterFirstIntStore.accept(b, st.slot());
                        return;
                    }
                    if (beforeReturn != null && e instanceof ReturnInstruction) {
                        beforeReturn.accept(b);
                        b.with(e);
                        return;
                    }
                    if (e instanceof InvokeInstruction i) {
                        for (Edit x = Edit.this; x != null; x = x.also) {
                            if (x.match != null && x.match.test(i)) {
                                x.count++;
                                if (x.beforeMatch != null) {
                                    x.beforeMatch.accept(b);
                                    b.with(e);
                                    if (x.afterMatch != null) {
                                        x.afterMatch.accept(b);
                                    }
                                } else {
                                    x.replaceMatch.accept(b);
                                }
                                return;
                            }
                        }
                    }
                    b.with(e);
                }
            };
        }

        boolean complete() {
            return count >= min && (also == null || also.complete()) && (afterFirstIntStore == null || storedOnce);
        }
    }
}

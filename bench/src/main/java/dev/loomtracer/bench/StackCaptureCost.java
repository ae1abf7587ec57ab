package dev.loomtracer.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * What identifying the current stack costs a virtual thread, the ways a stack cache could be keyed
 * (docs/CAPTURE.md, "Sampled stacks"): a {@code new Throwable()} whose native backtrace keys the
 * capture layer's cache ({@code EventStacks}), that backtrace hashed as the cache does, and a
 * {@link StackWalker} bounded to the top 8 frames keyed by class and bytecode index or by method
 * name and bytecode index. Timed, not counted: read the ratios within one run, on a quiet machine.
 * Invariant: every variant runs in a fresh virtual thread at the same depth, interleaved round by
 * round, the first round dropped.
 *
 * <p>Run: {@code java --add-opens java.base/java.lang=ALL-UNNAMED -cp bench/target/benchmarks.jar
 * dev.loomtracer.bench.StackCaptureCost [depth]} (frames of recursion under the measuring loop;
 * the virtual thread's own frames come on top).
 */
public final class StackCaptureCost {
    private StackCaptureCost() {}

    private static final VarHandle BACKTRACE;
    private static final VarHandle DEPTH;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.privateLookupIn(Throwable.class, MethodHandles.lookup());
            BACKTRACE = l.findVarHandle(Throwable.class, "backtrace", Object.class);
            DEPTH = l.findVarHandle(Throwable.class, "depth", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e + " (run with --add-opens java.base/java.lang=ALL-UNNAMED)");
        }
    }

    private static final StackWalker NAMES = StackWalker.getInstance();
    private static final StackWalker CLASSES = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
    private static long sink;

    private static long throwable() {
        return (int) DEPTH.get(new Throwable());
    }

    private static long throwableHashed() {
        Throwable t = new Throwable();
        Object[] chunk = (Object[]) BACKTRACE.get(t);
        int depth = (int) DEPTH.get(t);
        short[] m = (short[]) chunk[0];
        int[] b = (int[]) chunk[1];
        Object[] c = (Object[]) chunk[2];
        int h = 1;
        for (int i = 0; i < Math.min(depth, m.length); i++) {
            h = 31 * (31 * (31 * h + m[i]) + b[i]) + System.identityHashCode(c[i]);
        }
        return h;
    }

    private static final Function<Stream<StackWalker.StackFrame>, Integer> TOP8_CLASSES = s -> {
        int[] h = {1};
        s.limit(8).forEach(f -> h[0] = 31 * (31 * h[0] + f.getByteCodeIndex()) + System.identityHashCode(f.getDeclaringClass()));
        return h[0];
    };

    private static final Function<Stream<StackWalker.StackFrame>, Integer> TOP8_NAMES = s -> {
        int[] h = {1};
        s.limit(8).forEach(f -> h[0] = 31 * (31 * h[0] + f.getByteCodeIndex()) + f.getMethodName().hashCode());
        return h[0];
    };

    private static long recurse(int d, LongSupplier op, int n) {
        if (d > 0) {
            return recurse(d - 1, op, n) + 1;
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            sink += op.getAsLong();
        }
        return System.nanoTime() - t0;
    }

    public static void main(String[] args) throws Exception {
        int depth = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int n = 100_000;
        Map<String, LongSupplier> ops = new LinkedHashMap<>();
        ops.put("new Throwable()", StackCaptureCost::throwable);
        ops.put("new Throwable(), backtrace hashed", StackCaptureCost::throwableHashed);
        ops.put("StackWalker top 8, class+bci", () -> CLASSES.walk(TOP8_CLASSES));
        ops.put("StackWalker top 8, name+bci", () -> NAMES.walk(TOP8_NAMES));
        Map<String, List<Double>> ns = new LinkedHashMap<>();
        for (int r = 0; r < 6; r++) {
            for (Map.Entry<String, LongSupplier> e : ops.entrySet()) {
                double[] out = new double[1];
                Thread vt = Thread.ofVirtual().start(() -> out[0] = recurse(depth, e.getValue(), n) / (double) n);
                vt.join();
                if (r > 0) {
                    ns.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(out[0]);
                }
            }
        }
        System.out.printf("stack capture in a virtual thread, %d frames of recursion, %d calls per round, medians of %d rounds%n",
                depth, n, ns.values().iterator().next().size());
        ns.forEach((k, v) -> {
            Collections.sort(v);
            System.out.printf("  %-36s %8.0f ns  (%.0f..%.0f)%n", k, v.get(v.size() / 2), v.get(0), v.get(v.size() - 1));
        });
        if (sink == 42) {
            System.out.println();
        }
    }
}

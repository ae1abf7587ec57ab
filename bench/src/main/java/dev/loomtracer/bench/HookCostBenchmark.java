package dev.loomtracer.bench;

import dev.loomtracer.LoomTrace;
import dev.loomtracer.Region;
import dev.loomtracer.engine.TraceWriter;
import dev.loomtracer.engine.Tracer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.CompilerControl;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * The cost of a tracer hook with tracing off, next to an empty method: Go CL 565935's promise that
 * "tracing off costs about one load". Each benchmark calls a non-inlined method, so the
 * call itself is the common floor and the difference is the hook's check.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
        "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED",
        "--add-exports", "java.base/jdk.internal.access=ALL-UNNAMED"})
@State(Scope.Thread)
public class HookCostBenchmark {
    private final Thread self = Thread.currentThread();

    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    static void emptyHook(Thread t) {
        // the baseline: a call that does nothing
    }

    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    static void tracerHook(Thread t) {
        Tracer tr = Tracer.GLOBAL;
        if (!tr.enabled()) {
            return;
        }
        TraceWriter w = tr.acquire();
        if (w != null) {
            try {
                w.goStop(t, "yield", null);
            } finally {
                tr.release(w);
            }
        }
    }

    @Benchmark
    public void baselineEmptyMethod() {
        emptyHook(self);
    }

    @Benchmark
    public void hookTracingOff() {
        tracerHook(self);
    }

    /** A loop of hooks: the volatile read of the flag must not be hoisted, nor cost more than a load. */
    @Benchmark
    public void hookTracingOffLoop100(Blackhole bh) {
        for (int i = 0; i < 100; i++) {
            tracerHook(self);
        }
    }

    @Benchmark
    public void baselineEmptyLoop100(Blackhole bh) {
        for (int i = 0; i < 100; i++) {
            emptyHook(self);
        }
    }

    /** The public annotation API with tracing off: one load, no allocation. */
    @Benchmark
    public void regionTracingOff() {
        Region.enter("r").close();
    }

    @Benchmark
    public void logTracingOff() {
        LoomTrace.log("k", "v");
    }
}

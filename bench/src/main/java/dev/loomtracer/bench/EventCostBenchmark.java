package dev.loomtracer.bench;

import dev.loomtracer.FlightRecorder;
import dev.loomtracer.LoomTrace;
import dev.loomtracer.TraceOptions;
import dev.loomtracer.engine.TraceWriter;
import dev.loomtracer.engine.Tracer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The cost of one event with tracing on. The trace goes to a flight recorder (memory, a small
 * window) so the sink's speed does not enter the number. The scheduling pair is what a carrier
 * writes per mount: a stop of one G and the start of the next.
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
public class EventCostBenchmark {
    private FlightRecorder fr;
    private Thread vt;

    @Setup(Level.Trial)
    public void start() {
        fr = FlightRecorder.start(Duration.ZERO, 4 << 20, TraceOptions.defaults());
        vt = Thread.ofVirtual().unstarted(() -> {});
    }

    @TearDown(Level.Trial)
    public void stop() {
        fr.stop();
    }

    /** One user log event (string ids interned per generation: a map hit). */
    @Benchmark
    public void logEvent() {
        LoomTrace.log("key", "value");
    }

    /** Two scheduling events (GoStart + GoStop of a virtual thread on this M): per-op cost / 2 = per event. */
    @Benchmark
    public void startStopPair() {
        emit(START, vt);
        emit(STOP, vt);
    }

    /**
     * A virtual thread's scheduling cycle as a park/unpark ping-pong writes it: start, block
     * ("park"), unblock by the scheduler; per-op cost / 3 = per event.
     */
    @Benchmark
    public void startBlockUnblock() {
        emit(START, vt);
        emit(BLOCK, vt);
        emit(UNBLOCK, vt);
    }

    private static final int START = 0, STOP = 1, BLOCK = 2, UNBLOCK = 3;

    /** One scheduling event as a capture layer writes it: acquire, the operation, release. */
    private static void emit(int op, Thread vt) {
        Tracer t = Tracer.GLOBAL;
        TraceWriter w = t.acquire();
        if (w != null) {
            try {
                switch (op) {
                    case START -> w.goStart(vt);
                    case STOP -> w.goStop(vt, "yield", null);
                    case BLOCK -> w.goBlock(vt, "park", null);
                    default -> w.goUnblock(vt, null, null);
                }
            } finally {
                t.release(w);
            }
        }
    }

    /** The bracket every event pays besides its operation: acquire (M lookup, sequence counter) and release. */
    @Benchmark
    public void acquireRelease() {
        Tracer t = Tracer.GLOBAL;
        TraceWriter w = t.acquire();
        if (w != null) {
            t.release(w);
        }
    }

    /** The floor: one clock read, which every event pays once. */
    @Benchmark
    public long nanoTime() {
        return System.nanoTime();
    }
}

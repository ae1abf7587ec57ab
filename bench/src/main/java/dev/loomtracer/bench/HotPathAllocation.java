package dev.loomtracer.bench;

import dev.loomtracer.TraceOptions;
import dev.loomtracer.engine.CapturedStack;
import dev.loomtracer.engine.TraceWriter;
import dev.loomtracer.engine.Tracer;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * What the hot path allocates and writes, counted rather than timed (timings on a loaded machine
 * are noise; these counts are not): the bytes the writing thread allocates (the JVM's per-thread
 * allocation counter), in slices of operations, and the trace bytes per operation. The operations
 * are {@link EventCostBenchmark}'s: a start and a stop of a virtual thread, a start, block and
 * unblock, a user log from a platform thread, and a start, block and unblock under
 * {@code stacks=on-block} (the sampling decision and, for one block in 16, a cached stack). The pool's buffers (64 KiB each, allocated when
 * the reader falls behind, up to the memory bound) and a generation's first interning of a string
 * land in a few slices; an allocation per event would show in every slice. Invariant: the probe's
 * own code allocates nothing per operation (its lambdas capture nothing).
 * Run: {@code java <flags> -cp bench/target/benchmarks.jar dev.loomtracer.bench.HotPathAllocation [ops]}
 */
public final class HotPathAllocation {
    private HotPathAllocation() {}

    private static Tracer t;
    private static Thread vt;
    private static Thread self;
    private static CapturedStack site;
    private static CapturedStack blockStack;

    private static void emit(Consumer<TraceWriter> body) {
        t.emit(body);
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        vt = Thread.ofVirtual().unstarted(() -> { });
        self = Thread.currentThread();
        String[] names = {"startStopPair", "startBlockUnblock", "logEvent", "startBlockUnblock, stacks on-block"};
        // A block under stacks=on-block: the sampling decision, then the stack a cache hit hands
        // back (a stack taken once: the capture itself allocates, and runs for one block in 16).
        site = CapturedStack.ofFrames(new CapturedStack.Frame("com.example.Site.await", "com/example/Site.java", 42));
        Runnable[] ops = {
            () -> {
                emit(w -> w.goStart(vt));
                emit(w -> w.goStop(vt, "yield", null));
            },
            () -> {
                emit(w -> w.goStart(vt));
                emit(w -> w.goBlock(vt, "park", null));
                emit(w -> w.goUnblock(vt, null, null));
            },
            () -> emit(w -> w.userLog(self, 0, "key", "value", null)),
            () -> {
                emit(w -> w.goStart(vt));
                blockStack = TraceOptions.Stacks.ON_BLOCK.takesBlockStack() ? site : null;
                emit(w -> w.goBlock(vt, "park", blockStack));
                emit(w -> w.goUnblock(vt, null, null));
            },
        };
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int k = 0; k < ops.length; k++) {
            t = Tracer.newInstance();
            t.start(TraceOptions.defaults().generationPeriod(Duration.ofSeconds(1)));
            AtomicLong bytes = new AtomicLong();
            Thread reader = Thread.ofPlatform().name("reader").start(() -> {
                try {
                    for (ByteBuffer b; (b = t.readTrace()) != null; ) {
                        bytes.addAndGet(b.remaining());
                        b.position(b.limit());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            for (int i = 0; i < n; i++) {
                ops[k].run(); // warm-up
            }
            int slices = 20;
            int per = n / slices;
            int zero = 0;
            long[] alloc = new long[slices];
            for (int j = 0; j < slices; j++) {
                long a = mx.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < per; i++) {
                    ops[k].run();
                }
                alloc[j] = mx.getCurrentThreadAllocatedBytes() - a;
                if (alloc[j] == 0) {
                    zero++;
                }
            }
            t.stop();
            reader.join();
            long written = bytes.get(); // the whole session: warm-up and slices, 2n operations
            Arrays.sort(alloc);
            System.out.printf("%-18s %d slices of %d ops: %d allocated nothing, median %d B, max %d B; trace %.2f bytes/op%n",
                    names[k], slices, per, zero, alloc[slices / 2], alloc[slices - 1], written / (2.0 * n));
        }
    }
}

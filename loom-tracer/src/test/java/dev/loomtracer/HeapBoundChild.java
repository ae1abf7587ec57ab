package dev.loomtracer;

import dev.loomtracer.engine.Pace;
import dev.loomtracer.engine.Tracer;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The program {@link MemoryBoundTest} runs in a child JVM (serial GC and no thread-local
 * allocation buffers: the heap used after {@code System.gc()} is exactly what is live; with
 * TLABs it also counts the fresh TLAB of every thread that allocated since, up to ~1 MB for the
 * advancer right after it ended a generation). One platform thread emits logs, each with a
 * message of {@code chars} characters and a stack (stacks on: every log carries one), drawn from
 * {@code distinct} different messages and stacks; every {@code sample} logs it measures the live
 * heap against a baseline taken after the same scenario already ran once on another thread (every
 * class loaded and initialised). Prints one line:
 * {@code peak-growth BYTES samples N lost N largest-generation BYTES}.
 *
 * <p>Modes: {@code reader}: startForReading and nobody reads, so everything traced stays in
 * memory until the budget runs out and the trace ends by itself; {@code flight}: a flight
 * recorder whose window is bounded by bytes, not by age, whose program keeps pace with it
 * ({@code Pace}: under load the recorder's thread or the advancer fell behind the program, and
 * a generation outgrew the window, or the budget ran out).
 *
 * <p>Arguments: mode, bufferMemory, window bytes, logs, chars, distinct, sample.
 */
public final class HeapBoundChild {
    private HeapBoundChild() {}

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        long budget = Long.parseLong(args[1]);
        long window = Long.parseLong(args[2]);
        int logs = Integer.parseInt(args[3]);
        int chars = Integer.parseInt(args[4]);
        int distinct = Integer.parseInt(args[5]);
        int sample = Integer.parseInt(args[6]);
        // The warm-up also fills the process-wide caches of resolved stacks (engine Backtraces:
        // at most 4,096 stacks each, outside bufferMemory, docs/API.md) with the stacks the
        // measured run logs from: every one of them (4,096 logs make every path of logAtDepth),
        // through the same frames (the same lambda on a thread of its own), under a budget that
        // never ends it early. Otherwise the measured growth counts cache entries, not the trace.
        long[] none = new long[4];
        onThread(mode, 64L << 20, window, Math.max(logs / 10, Math.min(logs, 1 << 12)), chars, distinct, sample, false, none);
        long[] r = new long[4];
        onThread(mode, budget, window, logs, chars, distinct, sample, true, r);
        System.out.println("peak-growth " + r[0] + " samples " + r[1] + " lost " + r[2] + " largest-generation " + r[3]);
    }

    /** Runs {@link #run} on a new platform thread, the baseline taken there first if {@code measure}; its result into {@code out}. */
    private static void onThread(String mode, long budget, long window, int logs, int chars, int distinct, int sample,
            boolean measure, long[] out) throws InterruptedException {
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                System.arraycopy(run(mode, budget, window, logs, chars, distinct, sample, measure ? live() : -1), 0, out, 0, 4);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        t.join();
    }

    /** Returns {peak growth over base, samples, lost events, largest generation's bytes (flight)}. */
    private static long[] run(String mode, long budget, long window, int logs, int chars, int distinct, int sample, long base)
            throws Exception {
        TraceOptions o = TraceOptions.defaults().generationPeriod(Duration.ofHours(1)).generationBytes(64 << 10)
                .bufferMemory(budget).stacks(TraceOptions.Stacks.ALL);
        FlightRecorder fr = null;
        AtomicLong largest = new AtomicLong();
        if (mode.equals("reader")) {
            LoomTrace.startForReading(o);
        } else {
            fr = FlightRecorder.start(Duration.ofHours(1), window, o);
            fr.onGeneration(g -> largest.accumulateAndGet(g.length, Math::max));
        }
        String padding = "m".repeat(chars);
        long peak = 0;
        long samples = 0;
        for (int i = 0; i < logs && (fr != null || LoomTrace.isRunning()); i++) {
            int k = i % distinct;
            logAtDepth(k, 12, "message " + k + " " + padding);
            if (fr != null) {
                Pace.keepPace(Tracer.GLOBAL); // the recorder keeps up, whatever the machine's load
            }
            if (base >= 0 && i % sample == sample - 1) {
                peak = Math.max(peak, live() - base);
                samples++;
            }
        }
        TraceResult r;
        if (fr != null) {
            r = fr.stop();
        } else {
            Thread reader = Thread.ofPlatform().start(() -> {
                try {
                    for (ByteBuffer b; (b = LoomTrace.readTrace()) != null; ) {
                        b.position(b.limit());
                    }
                } catch (InterruptedException e) {
                    throw new RuntimeException(e);
                }
            });
            r = LoomTrace.stop();
            reader.join();
        }
        return new long[] {peak, samples, r.lostEvents(), largest.get()};
    }

    /** A log from one of 2^depth different stacks, chosen by k's low bits. */
    private static void logAtDepth(int k, int depth, String message) {
        if (depth == 0) {
            LoomTrace.log("load", message);
        } else if ((k >> depth & 1) == 0) {
            left(k, depth - 1, message);
        } else {
            right(k, depth - 1, message);
        }
    }

    private static void left(int k, int depth, String message) {
        logAtDepth(k, depth, message);
    }

    private static void right(int k, int depth, String message) {
        logAtDepth(k, depth, message);
    }

    private static long live() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}

package dev.loomtracer;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The program {@link MemoryBoundTest} runs in a child JVM (serial GC: the heap used after
 * {@code System.gc()} is exactly what is live). One platform thread emits logs, each with a
 * message of {@code chars} characters and a stack (stacks on: every log carries one), drawn from
 * {@code distinct} different messages and stacks; every {@code sample} logs it measures the live
 * heap against a baseline taken after the same scenario already ran once on another thread (every
 * class loaded and initialised; a thread's tracer state keeps its last session until its next
 * event, so the warm-up's must not be the measuring thread's). Prints one line:
 * {@code peak-growth BYTES samples N lost N largest-generation BYTES}.
 *
 * <p>Modes: {@code reader}: startForReading and nobody reads, so everything traced stays in
 * memory until the budget runs out and the trace ends by itself; {@code flight}: a flight
 * recorder whose window is bounded by bytes, not by age.
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
        Thread warmUp = Thread.ofPlatform().start(() -> {
            try {
                run(mode, budget, window, logs / 10, chars, distinct, sample, -1);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        warmUp.join();
        // The tracer keeps its last session until the next start: an empty trace releases the warm-up's.
        Thread empty = Thread.ofPlatform().start(() -> {
            try {
                run(mode, budget, window, 0, chars, distinct, sample, -1);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        empty.join();
        long[] r = run(mode, budget, window, logs, chars, distinct, sample, live());
        System.out.println("peak-growth " + r[0] + " samples " + r[1] + " lost " + r[2] + " largest-generation " + r[3]);
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

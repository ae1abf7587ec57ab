package dev.loomtracer.analysis;

import dev.loomtracer.engine.TraceConfig;
import dev.loomtracer.engine.TraceStats;
import dev.loomtracer.engine.TraceWriter;
import dev.loomtracer.engine.Tracer;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Writes a trace through the engine's capture SPI the way a scheduler would (as the engine's
 * SimulatedSchedulingTest does): a platform creator makes {@code vts} virtual-thread objects, two
 * (or {@code carriers}) platform "carriers" run them round after round, a platform unparker unblocks them. Each virtual
 * thread runs one task "job" with a region "step"; each round ends in a block (reasons cycle through
 * {@link #REASONS}), a yield, or a pinned block; the last round destroys it.
 *
 * <p>Invariant: the trace is complete (no lost or inconsistent events, checked) and what it
 * contains is exactly what was driven; the wall times are the engine's clock, not chosen.
 */
final class SimulatedWorkload {
    static final String[] REASONS = {"sleep", dev.loomtracer.format.BlockReasons.parkOn("ReentrantLock$NonfairSync"), dev.loomtracer.format.BlockReasons.QUEUE_TAKE};

    private SimulatedWorkload() {}

    private static void emit(Tracer t, Consumer<TraceWriter> body) {
        TraceWriter w = t.acquire();
        if (w != null) {
            try {
                body.accept(w);
            } finally {
                t.release(w);
            }
        }
    }

    /** Writes the trace to {@code file} with two carriers; returns the engine's stats. */
    static TraceStats write(Path file, int vts, int rounds, Duration generation) throws Exception {
        return write(file, vts, rounds, generation, 2);
    }

    /** Writes the trace to {@code file} with {@code carrierCount} carriers; returns the engine's stats. */
    static TraceStats write(Path file, int vts, int rounds, Duration generation, int carrierCount) throws Exception {
        Tracer t = Tracer.newInstance();
        t.start(new TraceConfig(generation, 8L << 20, 64L << 20, TraceConfig.StackMode.OFF));
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        Thread pump = Thread.ofPlatform().name("sim-reader").start(() -> {
            try (ch) {
                for (ByteBuffer b; (b = t.readTrace()) != null; ) {
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        BlockingQueue<Thread> runQueue = new ArrayBlockingQueue<>(vts);
        BlockingQueue<Thread> blocked = new ArrayBlockingQueue<>(vts);
        Map<Thread, Integer> left = new ConcurrentHashMap<>();
        Map<Thread, Long> taskIds = new ConcurrentHashMap<>();
        Thread creator = Thread.ofPlatform().name("sim-creator").start(() -> {
            for (int i = 0; i < vts; i++) {
                Thread vt = Thread.ofVirtual().unstarted(() -> {});
                left.put(vt, rounds);
                taskIds.put(vt, i + 1L);
                emit(t, w -> w.goCreate(Thread.currentThread(), vt, false, null, null));
                runQueue.add(vt);
            }
        });
        creator.join();
        // A generation boundary after the creations, whatever the machine's speed: the trace always
        // has a complete first generation (AnalyzeCliTest's --partial cut relies on it).
        t.advanceNow();
        AtomicInteger done = new AtomicInteger();
        List<Thread> carriers = new ArrayList<>();
        for (int c = 0; c < carrierCount; c++) {
            carriers.add(Thread.ofPlatform().name("sim-carrier-" + c).start(() -> {
                try {
                    while (done.get() < vts) {
                        Thread vt = runQueue.poll(10, TimeUnit.MILLISECONDS);
                        if (vt == null) {
                            continue;
                        }
                        int l = left.merge(vt, -1, Integer::sum);
                        long task = taskIds.get(vt);
                        emit(t, w -> w.goStart(vt));
                        if (l == rounds - 1) {
                            emit(t, w -> w.userTaskBegin(vt, task, 0, "job", null));
                            emit(t, w -> w.userRegion(vt, true, task, "step", null));
                        }
                        if (l % 7 == 3) {
                            emit(t, w -> w.logOnCurrent(vt, ThreadModel.PINNED_LOG_KEY, "class initializer"));
                            emit(t, w -> w.syscallBegin(vt, null));
                            emit(t, w -> w.syscallEnd(vt));
                        }
                        if (l == 0) {
                            emit(t, w -> w.userRegion(vt, false, task, "step", null));
                            emit(t, w -> w.userTaskEnd(vt, task, null));
                            emit(t, w -> w.goDestroy(vt));
                            done.incrementAndGet();
                        } else if (l % 4 == 0) {
                            emit(t, w -> w.goStop(vt, "yield", null));
                            runQueue.add(vt);
                        } else {
                            String reason = REASONS[l % REASONS.length];
                            emit(t, w -> w.goBlock(vt, reason, null));
                            blocked.add(vt);
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        Thread unparker = Thread.ofPlatform().name("sim-unparker").start(() -> {
            try {
                while (done.get() < vts) {
                    Thread vt = blocked.poll(10, TimeUnit.MILLISECONDS);
                    if (vt != null) {
                        emit(t, w -> w.goUnblock(vt, Thread.currentThread(), null));
                        runQueue.add(vt);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        for (Thread c : carriers) {
            c.join();
        }
        unparker.join();
        TraceStats stats = t.stop();
        pump.join();
        if (stats.lostEvents() != 0 || stats.inconsistentEvents() != 0 || stats.nestedEvents() != 0) {
            throw new AssertionError("the simulated trace is incomplete: " + stats);
        }
        return stats;
    }
}

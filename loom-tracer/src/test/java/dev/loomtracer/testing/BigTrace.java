package dev.loomtracer.testing;

import static dev.loomtracer.testing.Spi.emit;

import dev.loomtracer.TraceOptions;
import dev.loomtracer.TraceResult;
import dev.loomtracer.engine.CapturedStack;
import dev.loomtracer.engine.Tracer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes a large trace quickly, straight through a fresh engine {@link Tracer}, shaped like a
 * request server: {@code carriers} platform threads each run a batch of virtual threads; each run
 * ends the thread's previous task (type "request"), begins the next one and blocks (park or
 * sleep); a platform unparker per carrier unblocks the batch. So the trace has carriers, tasks,
 * blocks, unblocks by a platform thread and scheduler waits, in as many generations as it takes.
 *
 * <p>{@link #writeWithStacks} gives the same workload stacks: each thread a start location (one of
 * two), and one block in four a stack (one of three sites per reason), so the analyses' thread
 * groups, stacks and estimates for blocks without a stack ({@code stacks=on-block}) have work.
 *
 * <p>Invariant: the file holds at least {@code targetBytes} and nothing was lost (it fails
 * otherwise); every task begun is ended before the trace stops.
 */
public final class BigTrace {
    private BigTrace() {}

    /** What was written. */
    public record Written(long bytes, long tasks, long blocks) {}

    public static Written write(Path file, long targetBytes, int carriers, int batch) throws Exception {
        return write(file, targetBytes, carriers, batch, false);
    }

    /** {@link #write}, with start stacks and one block's stack in four (see above). */
    public static Written writeWithStacks(Path file, long targetBytes, int carriers, int batch) throws Exception {
        return write(file, targetBytes, carriers, batch, true);
    }

    private static CapturedStack stack(String function, String file, int line) {
        return CapturedStack.ofFrames(new CapturedStack.Frame(function, file, line),
                new CapturedStack.Frame("example.Server.handle", "Server.java", 40));
    }

    private static Written write(Path file, long targetBytes, int carriers, int batch, boolean stacks) throws Exception {
        CapturedStack[] starts = {stack("example.Server.serve", "Server.java", 12), stack("example.Worker.run", "Worker.java", 7)};
        CapturedStack[][] sites = new CapturedStack[2][3];
        for (int r = 0; r < 2; r++) {
            for (int k = 0; k < 3; k++) {
                sites[r][k] = stack(r == 0 ? "java.util.concurrent.locks.ReentrantLock.lock" : "java.lang.Thread.sleep",
                        r == 0 ? "ReentrantLock.java" : "Thread.java", 100 + 10 * k);
            }
        }
        Tracer t = Tracer.newInstance();
        t.start(TraceOptions.defaults().generationPeriod(Duration.ofSeconds(1))
                .generationBytes(16L << 20)
                .bufferMemory(256L << 20));
        AtomicLong written = new AtomicLong();
        Thread pump = Spi.pumpTo(t, file, Thread.ofPlatform().name("big-reader"), written);
        AtomicLong taskIds = new AtomicLong();
        AtomicLong tasks = new AtomicLong();
        AtomicLong blocks = new AtomicLong();
        List<Thread> workers = new ArrayList<>();
        for (int c = 0; c < carriers; c++) {
            SynchronousQueue<List<Thread>> toUnpark = new SynchronousQueue<>();
            SynchronousQueue<List<Thread>> toRun = new SynchronousQueue<>();
            workers.add(Thread.ofPlatform().name("big-unparker-" + c).start(() -> {
                try {
                    for (List<Thread> l; !(l = toUnpark.take()).isEmpty(); ) {
                        for (Thread vt : l) {
                            emit(t, w -> w.goUnblock(vt, Thread.currentThread(), null));
                        }
                        toRun.put(l);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            workers.add(Thread.ofPlatform().name("big-carrier-" + c).start(() -> {
                try {
                    List<Thread> a = new ArrayList<>();
                    for (int i = 0; i < batch; i++) {
                        Thread vt = Thread.ofVirtual().unstarted(() -> {});
                        CapturedStack start = stacks ? starts[i % 2] : null;
                        // Created by the scheduler on this carrier: a thread that emits as itself is a
                        // platform thread, never also a carrier (docs/FORMAT.md, "Names and platform threads").
                        emit(t, w -> w.goCreate(null, vt, false, start, null));
                        a.add(vt);
                    }
                    long[] open = new long[batch];
                    // isRunning: a trace that ended by itself (docs/API.md) must end the loop, not spin forever.
                    for (long round = 0; written.get() < targetBytes && t.isRunning(); round++) {
                        String reason = round % 2 == 0 ? "park ReentrantLock$NonfairSync" : "sleep";
                        for (int i = 0; i < batch; i++) {
                            Thread vt = a.get(i);
                            CapturedStack at = stacks && (round + i) % 4 == 0 ? sites[(int) (round % 2)][i % 3] : null;
                            long prev = open[i];
                            long id = open[i] = taskIds.incrementAndGet();
                            emit(t, w -> {
                                w.goStart(vt);
                                if (prev != 0) {
                                    w.userTaskEnd(vt, prev, null);
                                }
                                w.userTaskBegin(vt, id, 0, "request", null);
                                w.goBlock(vt, reason, at);
                            });
                            tasks.incrementAndGet();
                            blocks.incrementAndGet();
                        }
                        toUnpark.put(a);
                        a = toRun.take();
                    }
                    for (int i = 0; i < batch; i++) {
                        Thread vt = a.get(i);
                        long prev = open[i];
                        emit(t, w -> {
                            w.goStart(vt);
                            w.userTaskEnd(vt, prev, null);
                            w.goDestroy(vt);
                        });
                    }
                    toUnpark.put(List.of());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        for (Thread w : workers) {
            w.join();
        }
        TraceResult stats = t.stop();
        pump.join();
        if (stats.lostEvents() != 0 || stats.inconsistentEvents() != 0 || stats.nestedEvents() != 0) {
            throw new AssertionError("the trace is incomplete: " + stats);
        }
        if (written.get() < targetBytes) {
            throw new AssertionError("only " + written.get() + " bytes written");
        }
        return new Written(written.get(), tasks.get(), blocks.get());
    }
}

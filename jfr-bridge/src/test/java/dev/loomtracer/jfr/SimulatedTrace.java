package dev.loomtracer.jfr;

import static dev.loomtracer.testing.Spi.emit;

import dev.loomtracer.TraceOptions;
import dev.loomtracer.TraceResult;
import dev.loomtracer.engine.CallerStacks;
import dev.loomtracer.engine.CapturedStack;
import dev.loomtracer.engine.Tracer;
import dev.loomtracer.testing.CheckedTrace;
import dev.loomtracer.testing.Spi;

import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Writes a trace with full scheduling through the engine's capture SPI, the way a scheduler
 * would: platform threads act as carriers running (unstarted) virtual-thread objects, a platform
 * "unparker" makes parked ones runnable, and every virtual thread does tasks, regions, logs,
 * parks with stacks and pinned blocks. One virtual thread has a deliberately long park and one a
 * deliberately long pinned block, so the longest ones are well defined.
 */
final class SimulatedTrace {
    private SimulatedTrace() {}

    static final String PARK_REASON = "park java.util.concurrent.locks.ReentrantLock";
    static final String PIN_REASON = "native frame: java.io.FileInputStream.readBytes";

    /** The ids of the virtual threads of the last simulation. */
    static final List<Long> lastVirtualThreads = new ArrayList<>();

    static CapturedStack stack(String... frames) {
        List<CapturedStack.Frame> fs = new ArrayList<>();
        int line = 10;
        for (String f : frames) {
            int dot = f.lastIndexOf('.');
            String cls = f.substring(0, dot);
            fs.add(new CapturedStack.Frame(f, cls.replace('.', '/') + ".java", line++));
        }
        return CallerStacks.of(fs);
    }

    /**
     * Writes the simulation's trace to {@code file}, which both judges must accept; returns the
     * engine's counters.
     */
    static TraceResult write(Path file, int vts, int rounds) throws Exception {
        TraceResult stats;
        try (OutputStream os = Files.newOutputStream(file)) {
            stats = write(Channels.newChannel(os), vts, rounds, null);
        }
        CheckedTrace.of(file);
        return stats;
    }

    /**
     * Runs the simulation on {@code t} (or a new tracer) writing the trace to {@code sink}.
     */
    static TraceResult write(WritableByteChannel sink, int vts, int rounds, Tracer given) throws Exception {
        Tracer t = given != null ? given : Tracer.newInstance();
        t.start(TraceOptions.defaults().generationPeriod(Duration.ofMillis(15))
                .generationBytes(1 << 20)
                .stacks(TraceOptions.Stacks.ON_BLOCK));
        Thread pump = Spi.pumpInto(t, sink, "sim-reader");
        run(t, vts, rounds);
        TraceResult stats = t.stop();
        pump.join();
        return stats;
    }

    /** Drives {@code t}; tracing must be running. */
    static void run(Tracer t, int vts, int rounds) throws Exception {
        CapturedStack parkStack = stack("java.util.concurrent.locks.LockSupport.park",
                "java.util.concurrent.locks.ReentrantLock.lock", "demo.Service.handle", "demo.Service.run");
        CapturedStack pinStack = stack("java.io.FileInputStream.readBytes", "demo.Service.readConfig",
                "demo.Service.run");
        CapturedStack taskStack = stack("demo.Service.run");
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < vts; i++) {
            threads.add(Thread.ofVirtual().name("sim-" + i).unstarted(() -> { }));
        }
        lastVirtualThreads.clear();
        threads.forEach(v -> lastVirtualThreads.add(v.threadId()));
        Thread creator = Thread.ofPlatform().name("creator").start(() -> {
            for (Thread vt : threads) {
                emit(t, w -> w.goCreate(Thread.currentThread(), vt, false, null, null));
            }
        });
        creator.join();
        // Generation boundaries by the run's progress, not only by the 15 ms period: one after the
        // creations and one after each of carrier 0's rounds, so that the trace has several
        // generations (and a converter several chunks) on any machine, however fast.
        t.advanceNow();
        ExecutorService unparker = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name("unparker").unstarted(r));
        try {
            List<Thread> carriers = new ArrayList<>();
            for (int c = 0; c < 2; c++) {
                int first = c;
                carriers.add(Thread.ofPlatform().name("carrier-" + c).start(() -> {
                    try {
                        for (int r = 0; r < rounds; r++) {
                            for (int i = first; i < threads.size(); i += 2) {
                                round(t, threads.get(i), i, r, rounds, unparker, parkStack, pinStack, taskStack);
                            }
                            if (first == 0) {
                                t.advanceNow();
                            }
                        }
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }));
            }
            for (Thread c : carriers) {
                c.join();
            }
        } finally {
            unparker.shutdown();
        }
    }

    private static void round(Tracer t, Thread vt, int i, int r, int rounds, ExecutorService unparker,
                              CapturedStack parkStack, CapturedStack pinStack, CapturedStack taskStack) throws Exception {
        long task = 1000L + i;
        emit(t, w -> w.goStart(vt));
        if (r == 0) {
            emit(t, w -> w.userTaskBegin(vt, task, 0, "job", taskStack));
        }
        emit(t, w -> w.userRegion(vt, true, task, "step", null));
        if (r % 3 == 1) {
            emit(t, w -> w.logOnCurrent(vt, dev.loomtracer.format.TraceStrings.PINNED_LOG_KEY, PIN_REASON)); // as the capture layer does
            emit(t, w -> w.syscallBegin(vt, pinStack));
            if (i == 1 && r == 1) {
                Thread.sleep(25); // the longest pinned block
            }
            emit(t, w -> w.syscallEnd(vt));
        }
        emit(t, w -> w.userLog(vt, task, "status", "round " + r, null));
        emit(t, w -> w.userRegion(vt, false, task, "step", null));
        if (r == rounds - 1) {
            emit(t, w -> w.userTaskEnd(vt, task, null));
            emit(t, w -> w.goDestroy(vt));
        } else if (r % 2 == 0) {
            emit(t, w -> w.goBlock(vt, PARK_REASON, parkStack));
            if (i == 2 && r == 2) {
                Thread.sleep(30); // the longest park
            }
            unparker.submit(() -> emit(t, w -> w.goUnblock(vt, Thread.currentThread(), null))).get();
        } else {
            emit(t, w -> w.goStop(vt, "yield", null));
        }
    }
}

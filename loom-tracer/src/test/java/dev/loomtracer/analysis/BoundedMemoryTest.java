package dev.loomtracer.analysis;

import static dev.loomtracer.testing.MiniJson.num;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomtracer.engine.TraceConfig;
import dev.loomtracer.engine.TraceStats;
import dev.loomtracer.engine.TraceWriter;
import dev.loomtracer.engine.Tracer;
import dev.loomtracer.testing.MiniJson;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Memory is bounded by live threads, not by events: {@code loomtrace analyze --json} on a trace of
 * more than 200 MB, in a JVM limited to {@code -Xmx128m}. The trace is written quickly through the
 * engine (a platform "carrier" starts and blocks batches of virtual threads, a platform unparker
 * unblocks them) and deleted afterwards. Its validity is checked by the analysis itself (which
 * parses with the validator); Go's parser is not run on it (minutes, gigabytes): the same writer's
 * traces are judged by Go in {@link AnalysisJudgeTest}.
 */
class BoundedMemoryTest {
    static final long TARGET_BYTES = 210L << 20;
    static final int BATCH = 256;

    @Test
    void analysesATraceOfMoreThan200MBIn128MBOfHeap() throws Exception {
        Path dir = Files.createTempDirectory("loomtrace-big");
        Path file = dir.resolve("big.trace");
        try {
            long t0 = System.nanoTime();
            long blocks = write(file);
            long size = Files.size(file);
            long t1 = System.nanoTime();
            assertTrue(size >= 200L << 20, "trace is only " + size + " bytes");

            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx128m", "-cp", System.getProperty("java.class.path"), "dev.loomtracer.cli.Analyze", "--json",
                    file.toString()));
            Path out = dir.resolve("out.json");
            Path err = dir.resolve("err.txt");
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertTrue(p.waitFor(10, TimeUnit.MINUTES), "analyze did not finish");
            assertEquals(0, p.exitValue(), Files.readString(err));
            System.out.printf("BoundedMemoryTest: wrote %d MB in %.1f s, analysed it with -Xmx128m in %.1f s%n", size >> 20,
                    (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9);
            Object json = MiniJson.parse(Files.readString(out));
            assertEquals(size, num(json, "trace", "bytes"));
            assertEquals(blocks, num(json, "blocking", 0, "count"), "every block driven is counted");
            assertTrue(num(json, "trace", "peakLiveThreads") <= BATCH * 2 + 8, "live threads bound the model");
        } finally {
            Files.deleteIfExists(file);
            try (var s = Files.list(dir)) {
                for (Path f : s.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }

    private static void emit(Tracer t, java.util.function.Consumer<TraceWriter> body) {
        TraceWriter w = t.acquire();
        if (w != null) {
            try {
                body.accept(w);
            } finally {
                t.release(w);
            }
        }
    }

    /** Writes at least {@link #TARGET_BYTES}; returns the number of blocks written. */
    private static long write(Path file) throws Exception {
        Tracer t = Tracer.newInstance();
        t.start(new TraceConfig(Duration.ofSeconds(1), 16L << 20, 256L << 20, TraceConfig.StackMode.OFF));
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
        Thread pump = Thread.ofPlatform().name("big-reader").start(() -> {
            try (ch) {
                for (ByteBuffer b; (b = t.readTrace()) != null; ) {
                    while (b.hasRemaining()) {
                        written.addAndGet(ch.write(b));
                    }
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        SynchronousQueue<List<Thread>> toUnpark = new SynchronousQueue<>();
        SynchronousQueue<List<Thread>> toRun = new SynchronousQueue<>();
        Thread unparker = Thread.ofPlatform().name("big-unparker").start(() -> {
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
        });
        long[] blocks = new long[1];
        Thread carrier = Thread.ofPlatform().name("big-carrier").start(() -> {
            try {
                List<Thread> a = new ArrayList<>();
                for (int i = 0; i < BATCH; i++) {
                    Thread vt = Thread.ofVirtual().unstarted(() -> {});
                    // Created by the scheduler on this carrier: a thread that emits as itself is a
                    // platform thread, never also a carrier (docs/FORMAT.md, "Names and platform threads").
                    emit(t, w -> w.goCreate(null, vt, false, null, null));
                    a.add(vt);
                }
                // isRunning: a trace that ended by itself (docs/API.md) must end the loop, not spin forever.
                while (written.get() < TARGET_BYTES && t.isRunning()) {
                    for (Thread vt : a) {
                        emit(t, w -> w.goStart(vt));
                        emit(t, w -> w.goBlock(vt, "park", null));
                        blocks[0]++;
                    }
                    toUnpark.put(a);
                    a = toRun.take();
                }
                for (Thread vt : a) {
                    emit(t, w -> w.goStart(vt));
                    emit(t, w -> w.goDestroy(vt));
                }
                toUnpark.put(List.of());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        carrier.join();
        unparker.join();
        TraceStats stats = t.stop();
        pump.join();
        if (stats.lostEvents() != 0 || stats.inconsistentEvents() != 0 || stats.nestedEvents() != 0) {
            throw new AssertionError("the trace is incomplete: " + stats);
        }
        return blocks[0];
    }
}

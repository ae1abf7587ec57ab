package dev.loomtracer;

import dev.loomtracer.format.BatchLayout;
import dev.loomtracer.format.EventType;
import dev.loomtracer.testing.CheckedTrace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.List;
import dev.loomtracer.testing.GoJudge;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The public API's contract, including every error path. */
class ApiTest {
    @TempDir
    Path dir;

    @AfterEach
    void stopAnything() {
        // A test that failed mid-way may leave a startForReading trace with no reader; stop()
        // waits for the reader (as Go's StopTrace does), so drain it here. A second reader
        // just gets refused if one still runs.
        Thread drain = Thread.ofPlatform().daemon().start(() -> {
            try {
                while (LoomTrace.readTrace() != null) {
                    // discard
                }
            } catch (Exception ignored) {
                // refused or interrupted: someone else reads
            }
        });
        LoomTrace.stop();
        drain.interrupt();
        FlightRecorder fr = FlightRecorder.current();
        if (fr != null) {
            fr.stop();
        }
    }

    @Test
    void stopWithoutStartIsANoOp() {
        assertFalse(LoomTrace.isRunning());
        assertNull(LoomTrace.stop());
    }

    @Test
    void startingTwiceIsAClearErrorAndLeavesTheFirstTraceIntact() throws Exception {
        Path file = dir.resolve("twice.trace");
        try (OutputStream out = Files.newOutputStream(file)) {
            LoomTrace.start(out);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> LoomTrace.start(new ByteArrayOutputStream()));
            assertTrue(e.getMessage().contains("already running"), e.getMessage());
            LoomTrace.log("still", "tracing");
            TraceResult r = LoomTrace.stop();
            assertTrue(r.complete());
            assertTrue(r.bytes() > 16);
        }
        CheckedTrace t = CheckedTrace.of(file);
        assertEquals(1, t.count(e -> e.type() == EventType.USER_LOG && "still".equals(e.name())));
    }

    @Test
    void badOptionsAreRejectedWithMessagesNamingTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TraceOptions.defaults().generationPeriod(Duration.ofMillis(1)));
        assertTrue(e.getMessage().contains("generation period"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TraceOptions.defaults().bufferMemory(1000));
        assertTrue(e.getMessage().contains("buffer memory"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TraceOptions.defaults().stacks(null));
        assertTrue(e.getMessage().contains("stack mode"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FlightRecorder.start(Duration.ofSeconds(-1), 1 << 20));
        assertTrue(e.getMessage().contains("minimum age"), e.getMessage());
        assertFalse(LoomTrace.isRunning(), "a rejected start starts nothing");
    }

    @Test
    void aSecondConcurrentReaderGetsAnErrorAndTracingGoesOn() throws Exception {
        LoomTrace.startForReading(TraceOptions.defaults().generationPeriod(Duration.ofMillis(20)));
        ByteBuffer header = LoomTrace.readTrace();
        assertEquals(16, header.remaining());
        CountDownLatch parked = new CountDownLatch(1);
        java.util.List<byte[]> collected = new java.util.ArrayList<>();
        CompletableFuture<Void> first = CompletableFuture.runAsync(() -> {
            try {
                parked.countDown();
                for (;;) {
                    ByteBuffer b;
                    try {
                        b = LoomTrace.readTrace();
                    } catch (IllegalStateException refused) {
                        continue; // the test's thread was reading at that instant: we are the second one
                    }
                    if (b == null) {
                        break;
                    }
                    byte[] a = new byte[b.remaining()];
                    b.get(a);
                    synchronized (collected) {
                        collected.add(a);
                    }
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        parked.await();
        // The first reader is parked (or about to be); a second one must be refused, not crash anything.
        IllegalStateException e = null;
        for (int i = 0; i < 1000 && e == null; i++) {
            try {
                ByteBuffer b = LoomTrace.readTrace();
                if (b != null) { // we raced ahead of the first reader and took a chunk: keep it
                    byte[] a = new byte[b.remaining()];
                    b.get(a);
                    synchronized (collected) {
                        collected.add(a);
                    }
                }
            } catch (IllegalStateException ise) {
                e = ise;
            }
        }
        assertTrue(e != null && e.getMessage().contains("one reader"), "second reader refused: " + e);
        LoomTrace.log("after", "second reader");
        TraceResult r = LoomTrace.stop();
        first.join();
        assertTrue(r.complete());
        // What the two readers took, between them, is the whole trace: both judges accept it and
        // it holds the log written while the second reader was being refused.
        Path file = dir.resolve("two-readers.trace");
        Files.write(file, inTraceOrder(collected));
        CheckedTrace t = CheckedTrace.of(file);
        assertEquals(r.generations(), t.generations(), "the readers took every generation the trace wrote: " + r);
        assertEquals(1, t.count(ev -> ev.type() == EventType.USER_LOG && "after".equals(ev.name())));
    }

    /**
     * The header, then the batches two readers took, ordered by generation and then by their base
     * time stamp (stable): each reader keeps the order it read in, but the two readers' chunks
     * interleave in whatever order their threads appended them. A batch is
     * [EventBatch, gen, M, time, size, payload] (docs/FORMAT.md).
     */
    private static byte[] inTraceOrder(java.util.List<byte[]> chunks) {
        record Batch(long gen, long time, byte[] bytes) {}
        java.util.List<Batch> batches = new java.util.ArrayList<>();
        long[] x = new long[1];
        for (byte[] c : chunks) {
            for (int p = 0; p < c.length; ) {
                assertEquals(EventType.EVENT_BATCH, c[p], "a chunk is whole batches");
                long[] f = new long[4];
                int q = p + 1;
                for (int i = 0; i < 4; i++) {
                    q = dev.loomtracer.format.Uvarint.read(c, q, c.length, x);
                    assertTrue(q > 0, "a batch header is whole");
                    f[i] = x[0];
                }
                int end = q + (int) f[3];
                batches.add(new Batch(f[0], f[2], java.util.Arrays.copyOfRange(c, p, end)));
                p = end;
            }
        }
        batches.sort(java.util.Comparator.comparingLong(Batch::gen).thenComparingLong(Batch::time));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(BatchLayout.FILE_HEADER);
        batches.forEach(b -> out.writeBytes(b.bytes()));
        return out.toByteArray();
    }

    @Test
    void everyMIsACarrierOrAPlatformThreadNeverAVirtualThread() throws Exception {
        Path file = dir.resolve("m-identity.trace");
        java.util.Set<Long> vts = java.util.concurrent.ConcurrentHashMap.newKeySet();
        TraceResult result;
        try (OutputStream out = Files.newOutputStream(file)) {
            LoomTrace.start(out);
            java.util.List<Thread> ts = new java.util.ArrayList<>();
            for (int i = 0; i < 100; i++) {
                // Each virtual thread may be the first to write on its carrier.
                ts.add(Thread.ofVirtual().start(() -> {
                    vts.add(Thread.currentThread().threadId());
                    LoomTrace.log("hello", "from a virtual thread");
                }));
            }
            for (Thread t : ts) {
                t.join();
            }
            result = LoomTrace.stop();
        }
        CheckedTrace t = CheckedTrace.of(file);
        // The tracer's own counts in the message: this failed once (98 of 100) under load and was
        // never reproduced, so a failure must say whether the two were dropped and counted.
        assertEquals(100, t.count(e -> e.type() == EventType.USER_LOG && "hello".equals(e.name())), String.valueOf(result));
        assertTrue(result.complete(), String.valueOf(result));
        assertEquals(0, t.count(e -> e.m() >= 0 && vts.contains(e.m())), "no M is named after a virtual thread");
    }

    @Test
    void aRegionMustEndOnTheThreadThatEnteredIt() throws Exception {
        LoomTrace.start(new ByteArrayOutputStream());
        Region r = Region.enter("mine");
        AtomicReference<Throwable> err = new AtomicReference<>();
        Thread.ofVirtual().start(() -> {
            try {
                r.close();
            } catch (Throwable t) {
                err.set(t);
            }
        }).join();
        assertTrue(err.get() instanceof IllegalStateException, "got " + err.get());
        r.close();
        LoomTrace.stop();
    }

    @Test
    void withTracingOffARegionAllocatesNothing() {
        Region a = Region.enter("x");
        Region b = Region.enter("y");
        assertSame(a, b, "the shared no-op region");
        a.close();
    }

    /** A sink that takes the trace's header and fails at the first byte after it ("disk full"). */
    private static OutputStream failingAfterTheHeader() {
        return new OutputStream() {
            int n;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if ((n += len) > BatchLayout.FILE_HEADER.length) {
                    throw new IOException("disk full");
                }
            }
        };
    }

    @Test
    void aFailingSinkStopsTheTraceAndStopReportsIt() {
        LoomTrace.start(failingAfterTheHeader(), TraceOptions.defaults().generationPeriod(Duration.ofMillis(10)));
        for (int i = 0; i < 100; i++) {
            LoomTrace.log("k", "v" + i);
        }
        UncheckedIOException e = assertThrows(UncheckedIOException.class, LoomTrace::stop);
        assertTrue(e.getMessage().contains("disk full"), e.getMessage());
        assertFalse(LoomTrace.isRunning());
    }

    /**
     * The stop a failed sink asks for runs on a thread of its own and can run late: after
     * {@code stop()} has ended that trace and the next one has started. It stopped the next one,
     * whatever it was. JUnit runs everyMIsACarrierOrAPlatformThreadNeverAVirtualThread right after
     * aFailingSinkStopsTheTraceAndStopReportsIt, and under load it found 98, once 0, of its 100
     * logs: its trace stopped under it. Forced here: that stop is held back until another trace
     * runs, then let go; it must leave that trace alone.
     */
    @Test
    void aFailedSinksStopEndsItsOwnTraceNeverTheNextOne() throws Exception {
        List<Runnable> heldBack = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.function.Consumer<Runnable> threads = LoomTrace.stopOnError;
        LoomTrace.stopOnError = heldBack::add;
        try {
            LoomTrace.start(failingAfterTheHeader(), TraceOptions.defaults().generationPeriod(Duration.ofMillis(10)));
            LoomTrace.log("k", "v");
            assertThrows(UncheckedIOException.class, LoomTrace::stop);
        } finally {
            LoomTrace.stopOnError = threads;
        }
        assertEquals(1, heldBack.size(), "the sink failed, and its pump asked for a stop once");
        Path file = dir.resolve("next.trace");
        TraceResult r;
        try (OutputStream out = Files.newOutputStream(file)) {
            LoomTrace.start(out);
            heldBack.getFirst().run(); // the failed trace's stop, late
            assertTrue(LoomTrace.isRunning(), "the next trace still runs");
            LoomTrace.log("after", "the late stop");
            r = LoomTrace.stop();
        }
        assertTrue(r != null && r.complete(), String.valueOf(r));
        assertEquals(1, CheckedTrace.of(file).count(e -> e.type() == EventType.USER_LOG && "after".equals(e.name())));
    }

    @Test
    void tasksRegionsAndLogsFromVirtualAndPlatformThreadsAreTraced() throws Exception {
        Path file = dir.resolve("annotations.trace");
        try (OutputStream out = Files.newOutputStream(file)) {
            LoomTrace.start(out, TraceOptions.defaults().stacks(TraceOptions.Stacks.EVERY_BLOCK));
            try (Task parent = Task.begin("parent")) {
                Thread vt = Thread.ofVirtual().start(() -> {
                    try (Task child = Task.begin(parent, "child"); Region r = child.region("inner")) {
                        child.log("where", "virtual");
                    }
                });
                Thread pt = Thread.ofPlatform().start(() -> Region.run("platform-region", () -> LoomTrace.log("where", "platform")));
                vt.join();
                pt.join();
            }
            LoomTrace.stop();
        }
        CheckedTrace t = CheckedTrace.of(file);
        assertEquals(2, t.count("UserTaskBegin"));
        assertEquals(2, t.count("UserTaskEnd"));
        assertEquals(1, t.count(e -> e.type() == EventType.USER_TASK_BEGIN && "child".equals(e.name()) && e.parentTask() != 0));
        // A task with no parent is written with parent 0 (the background task), as Go's runtime writes
        // it; Go's parser (order.go) then reports NoTask, 2^64-1, and so does ours (TraceEvent.NONE).
        assertEquals(1, t.count(e -> e.type() == EventType.USER_TASK_BEGIN && "parent".equals(e.name())
                && e.parentTask() == dev.loomtracer.parse.TraceEvent.NONE));
        GoJudge.Verdict wire = GoJudge.tool("trace", "-d=2", file.toAbsolutePath().toString());
        List<String> begins = Files.readAllLines(wire.stdout()).stream().filter(l -> l.startsWith("UserTaskBegin")).toList();
        assertEquals(2, begins.size(), begins.toString());
        assertEquals(1, begins.stream().filter(l -> l.contains(" parent_task=0 ")).count(), "on the wire: " + begins);
        assertEquals(2, t.count("UserRegionBegin"));
        assertEquals(2, t.count("UserRegionEnd"));
        assertEquals(2, t.count(e -> e.type() == EventType.USER_LOG && "where".equals(e.name())));
        assertTrue(t.count(e -> e.type() == EventType.USER_LOG && !e.stack().isEmpty()
                && e.stack().frames().stream().anyMatch(f -> f.function().contains("ApiTest"))) >= 1,
                "stacks name the caller");
    }
}

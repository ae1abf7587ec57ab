package dev.loomtracer.jfr;

import dev.loomtracer.testing.CheckedTrace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomtracer.Task;
import dev.loomtracer.TraceOptions;
import dev.loomtracer.format.EventType;
import dev.loomtracer.jfr.cli.ImportJfr;
import dev.loomtracer.jfr.convert.JfrConverter;
import dev.loomtracer.jfr.events.LoomEvents;
import dev.loomtracer.jfr.imports.JfrImport;
import dev.loomtracer.jfr.imports.JfrMerger;
import dev.loomtracer.parse.Frame;
import dev.loomtracer.parse.TraceEvent;
import dev.loomtracer.parse.TraceParser;

import jdk.jfr.consumer.RecordedEvent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * JFR's CPU samples and GC into the trace: a workload of CPU-busy virtual threads traced with
 * JfrImport comes out with CPUSample events attributed to those virtual threads (their stacks
 * show the busy method), GC ranges for the collections it forced, and a trace Go's parser and
 * ours accept.
 */
class ImportTest {
    @TempDir
    Path dir;

    static volatile long sink;

    static void burn(long nanos) {
        long end = System.nanoTime() + nanos;
        long x = 0;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 10_000; i++) {
                x += i * 31L ^ (x >>> 3);
            }
        }
        sink += x;
    }

    @Test
    void cpuSamplesLandOnTheVirtualThreadsThatBurnedCpu() throws Exception {
        Path trace = dir.resolve("imported.trace");
        JfrImport rec = JfrImport.start(trace, TraceOptions.defaults().generationPeriod(Duration.ofMillis(100)),
                Duration.ofMillis(10));
        Set<Long> busy = new HashSet<>();
        List<Thread> vts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Thread vt = Thread.ofVirtual().name("busy-" + i).unstarted(() -> {
                try (Task t = Task.begin("burn")) {
                    burn(300_000_000L);
                }
            });
            busy.add(vt.threadId());
            vts.add(vt);
        }
        vts.forEach(Thread::start);
        for (Thread t : vts) {
            t.join();
        }
        System.gc(); // synchronous: its jdk.GarbageCollection event is committed when it returns
        JfrMerger.Result r = rec.stop(true);
        assertTrue(rec.traceResult().complete(), rec.traceResult().toString());
        assertEquals("clock log + JFR clock sync", r.clock());
        assertTrue(r.samples() > 0, r.toString());
        assertTrue(r.collections() >= 1, "System.gc() was imported: " + r);

        CheckedTrace.of(trace); // both judges
        Map<Long, Integer> samplesPerG = new HashMap<>();
        int burnFrames = 0;
        int samples = 0;
        int gcBegins = 0;
        try (TraceParser p = TraceParser.open(trace)) {
            for (TraceEvent e; (e = p.next()) != null; ) {
                if (e.type() == EventType.CPU_SAMPLE) {
                    samples++;
                    samplesPerG.merge(e.g(), 1, Integer::sum);
                    if (busy.contains(e.g())) {
                        for (Frame f : e.stack().frames()) {
                            if (f.function().equals(ImportTest.class.getName() + ".burn")) {
                                burnFrames++;
                                break;
                            }
                        }
                    }
                } else if (e.type() == EventType.GC_BEGIN) {
                    gcBegins++;
                }
            }
        }
        assertEquals(r.samples(), samples);
        assertTrue(gcBegins >= 1);
        int busyWithSamples = 0;
        for (long g : busy) {
            busyWithSamples += samplesPerG.getOrDefault(g, 0) > 0 ? 1 : 0;
        }
        assertTrue(busyWithSamples >= 2, "samples on the busy virtual threads: " + samplesPerG + " busy " + busy);
        assertTrue(burnFrames > 0, "their stacks show the busy method");

        // And the merged trace converts: the samples become jdk.ExecutionSample of those virtual threads.
        Path jfr = dir.resolve("imported.jfr");
        JfrConverter.Result c = JfrConverter.convert(trace, jfr, JfrConverter.Options.defaults());
        assertEquals((long) samples, c.eventCounts().get(LoomEvents.EXECUTION_SAMPLE));
        int vtSamples = 0;
        for (RecordedEvent e : Readers.events(jfr, LoomEvents.EXECUTION_SAMPLE)) {
            if (busy.contains(e.getThread("sampledThread").getJavaThreadId())) {
                vtSamples++;
                assertTrue(e.getThread("sampledThread").isVirtual());
            }
        }
        assertTrue(vtSamples > 0);
        assertEquals(Expected.counts(trace), c.eventCounts());
        // Every converted stack (the samples' included) is Go's, and a PC names one frame in the whole merged trace.
        JfrStacksVsGo.Checked checked = JfrStacksVsGo.compare(trace, jfr);
        assertTrue(checked.withStacks() >= samples, checked.toString());
        assertEquals(Map.of(), dev.loomtracer.testing.GoEvents.pcsWithSeveralFrames(dev.loomtracer.testing.GoEvents.read(trace)));
    }

    @Test
    void theCliMergesARecordingAndRefusesATraceWithoutClock() throws Exception {
        Path trace = dir.resolve("cli.trace");
        JfrImport rec = JfrImport.start(trace, TraceOptions.defaults(), Duration.ofMillis(10));
        Thread vt = Thread.ofVirtual().start(() -> burn(100_000_000L));
        vt.join();
        rec.stop(true);
        CheckedTrace.of(trace);
        Path jfr = rec.recordingFile();
        assertTrue(Files.exists(jfr));
        Path out = dir.resolve("cli-merged.trace");
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        // Merging the recording again into the (already merged) trace: samples are added again, GC skipped.
        int code = ImportJfr.run(new String[] {trace.toString(), jfr.toString(), "-o", out.toString()},
                new PrintStream(o), new PrintStream(e));
        assertEquals(0, code, e.toString());
        assertTrue(o.toString().contains("valid"), o.toString());
        CheckedTrace.of(out);

        // A trace without a clock anchor: Go's (every trace this engine writes has one per generation).
        Path noClock = GoFixturesTest.FIXTURES.resolve("basic.trace");
        e.reset();
        code = ImportJfr.run(new String[] {noClock.toString(), jfr.toString(), "-o", dir.resolve("x.trace").toString()},
                new PrintStream(o), new PrintStream(e));
        assertEquals(1, code);
        assertTrue(e.toString().contains("clock log"), e.toString());
        assertFalse(Files.exists(dir.resolve("x.trace")));
        assertEquals(2, ImportJfr.run(new String[] {noClock.toString()}, new PrintStream(o), new PrintStream(e)));
    }
}

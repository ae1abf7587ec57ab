package dev.loomtracer.jfr;

import dev.loomtracer.testing.CheckedTrace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomtracer.TraceResult;
import dev.loomtracer.engine.Tracer;
import dev.loomtracer.jfr.events.LoomEvents;
import dev.loomtracer.jfr.jmc.JmcAnalysis;
import dev.loomtracer.jfr.live.JfrBridge;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The live bridge: a JFR recording running while a trace is written through the bridge holds one
 * JFR event per episode of the trace, readable by jfr print/summary, RecordingFile and JMC, with
 * times that fall inside the recording.
 */
class LiveBridgeTest {
    @TempDir
    Path dir;

    static final Predicate<String> BRIDGED = n -> n.startsWith("dev.loomtracer.") && !n.equals(LoomEvents.CLOCK_SYNC);

    static Recording recordingWithLoomEvents() {
        Recording r = new Recording();
        for (String t : List.of(LoomEvents.RUN, LoomEvents.PARK, LoomEvents.UNPARK, LoomEvents.PINNED, LoomEvents.TASK,
                LoomEvents.REGION, LoomEvents.LOG, LoomEvents.CLOCK_SYNC)) {
            r.enable(t).withThreshold(Duration.ZERO);
        }
        return r;
    }

    /** A sink that writes the trace to a file and feeds the bridge. */
    static WritableByteChannel tee(OutputStream file, JfrBridge bridge) {
        return new WritableByteChannel() {
            @Override
            public int write(ByteBuffer src) throws java.io.IOException {
                int n = src.remaining();
                byte[] b = new byte[n];
                src.get(b);
                file.write(b);
                bridge.write(b, 0, n);
                return n;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {
            }
        };
    }

    @Test
    void aRecordingHoldsOneEventPerEpisodeOfTheTrace() throws Exception {
        Path trace = dir.resolve("live.trace");
        Path jfr = dir.resolve("live.jfr");
        Instant before;
        Instant after;
        JfrBridge.Stats stats;
        try (Recording r = recordingWithLoomEvents()) {
            r.start();
            before = Instant.now();
            Tracer t = Tracer.newInstance();
            JfrBridge bridge = new JfrBridge();
            TraceResult ts;
            try (OutputStream os = Files.newOutputStream(trace)) {
                ts = SimulatedTrace.write(tee(os, bridge), 10, 7, t);
            }
            bridge.end();
            assertTrue(bridge.awaitEnd(Duration.ofMinutes(2)), "the bridge finished");
            after = Instant.now();
            stats = bridge.stats();
            assertEquals(0, ts.lostEvents());
            r.stop();
            r.dump(jfr);
        }
        assertEquals(0, stats.droppedGenerations(), stats.toString());
        assertEquals(0, stats.invalidGenerations(), stats.toString());
        assertEquals(0, stats.skippedGenerations(), stats.toString());
        assertEquals("clock log", stats.clock(), "the engine's clock anchor aligns the times");
        CheckedTrace.of(trace); // both judges
        assertEquals(0, clockLogsNotTheEngines(trace), "the bridge, a consumer of the trace, writes nothing into it");
        Map<String, Long> expected = Expected.counts(trace);
        assertTrue(expected.getOrDefault(LoomEvents.PINNED, 0L) > 0);
        assertEquals(expected, stats.committed(), "committed by the bridge");
        assertEquals(expected, Readers.recordingFile(jfr, BRIDGED), "RecordingFile");
        assertEquals(expected, Readers.jfrSummary(jfr, BRIDGED), "jfr summary");
        Readers.Run print = Readers.jfrTool("print", "--events", "VirtualThreadPark", jfr.toString());
        assertEquals(0, print.exit(), print.stderr());
        assertTrue(print.stdout().contains(SimulatedTrace.PARK_REASON), "jfr print shows the parks");
        Map<String, Long> jmc = new TreeMap<>(JmcAnalysis.countByType(JmcAnalysis.load(jfr)));
        jmc.keySet().removeIf(BRIDGED.negate());
        jmc.values().removeIf(v -> v == 0);
        assertEquals(expected, jmc, "JMC");

        // Times are the trace's, mapped into the recording: inside [before, after] up to clock skew.
        Instant lo = before.minusMillis(50);
        Instant hi = after.plusMillis(50);
        List<RecordedEvent> parks = Readers.events(jfr, LoomEvents.PARK);
        for (RecordedEvent e : parks) {
            assertFalse(e.getStartTime().isBefore(lo), e.getStartTime() + " before " + lo);
            assertFalse(e.getEndTime().isAfter(hi), e.getEndTime() + " after " + hi);
        }
        // Durations are the trace's (JFR ticks are nanoseconds here): every park, sorted, within 1 us.
        long[] fromTrace = Expected.parkDurations(trace);
        long[] fromJfr = parks.stream().mapToLong(e -> e.getDuration().toNanos()).sorted().toArray();
        assertEquals(fromTrace.length, fromJfr.length);
        for (int i = 0; i < fromJfr.length; i++) {
            assertTrue(Math.abs(fromTrace[i] - fromJfr[i]) <= 1_000, "park durations (ns) in the trace "
                    + java.util.Arrays.toString(fromTrace) + " and in JFR " + java.util.Arrays.toString(fromJfr));
        }
    }

    @Test
    void withoutAnEnabledRecordingNothingIsParsedOrCommitted() throws Exception {
        Tracer t = Tracer.newInstance();
        JfrBridge bridge = new JfrBridge();
        Path trace = dir.resolve("off.trace");
        try (OutputStream os = Files.newOutputStream(trace)) {
            SimulatedTrace.write(tee(os, bridge), 4, 3, t);
        }
        CheckedTrace.of(trace); // both judges
        bridge.end();
        assertTrue(bridge.awaitEnd(Duration.ofMinutes(1)));
        JfrBridge.Stats s = bridge.stats();
        assertTrue(s.generations() > 0);
        assertEquals(s.generations(), s.skippedGenerations(), s.toString());
        assertTrue(s.committed().isEmpty(), s.toString());
        assertEquals(0, clockLogsNotTheEngines(trace), "the bridge writes nothing into the trace");
    }

    /** Clock logs without a trace time: the engine's own anchors carry theirs, a log written by anyone else does not. */
    static long clockLogsNotTheEngines(Path trace) throws Exception {
        long n = 0;
        try (dev.loomtracer.parse.TraceParser p = dev.loomtracer.parse.TraceParser.open(trace)) {
            for (dev.loomtracer.parse.TraceEvent e; (e = p.next()) != null; ) {
                if (dev.loomtracer.jfr.model.ClockLog.CATEGORY.equals(e.name()) && !e.message().contains("traceNanos=")) {
                    n++;
                }
            }
        }
        return n;
    }
}

package dev.loomtracer.jfr;

import dev.loomtracer.testing.CheckedTrace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomtracer.TraceResult;
import dev.loomtracer.jfr.convert.JfrConverter;
import dev.loomtracer.jfr.events.LoomEvents;
import dev.loomtracer.jfr.jmc.JmcAnalysis;
import dev.loomtracer.jfr.jmc.LongestParkRule;
import dev.loomtracer.jfr.jmc.LongestPinnedRule;
import dev.loomtracer.jfr.model.Episode;
import dev.loomtracer.parse.TraceEvent;
import dev.loomtracer.parse.TraceParser;

import jdk.jfr.ValueDescriptor;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedThread;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.unit.UnitLookup;
import org.openjdk.jmc.flightrecorder.rules.Severity;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * A simulated trace with full scheduling converts to a .jfr that the four readers (jfr print,
 * jfr summary, RecordingFile, JMC's parser) accept with exactly the counts the trace implies;
 * JMC's rules run without an error and the Loom Tracer rules find the longest park and pinned
 * block the trace holds.
 */
class ConverterTest {
    @TempDir
    static Path dir;
    static Path trace;
    static Path jfr;
    static JfrConverter.Result result;
    static Map<String, Long> expected;

    static final Predicate<String> OURS = n -> n.startsWith("dev.loomtracer.") || n.equals(LoomEvents.EXECUTION_SAMPLE);

    @BeforeAll
    static void convert() throws Exception {
        trace = dir.resolve("sim.trace");
        TraceResult stats = SimulatedTrace.write(trace, 12, 9);
        assertEquals(0, stats.lostEvents());
        assertEquals(0, stats.inconsistentEvents(), "the simulation drives the SPI consistently");
                expected = Expected.counts(trace);
        jfr = dir.resolve("sim.jfr");
        List<JfrConverter.Progress> progress = new ArrayList<>();
        result = JfrConverter.convert(trace, jfr, JfrConverter.Options.defaults().withProgress(progress::add));
        assertFalse(progress.isEmpty(), "progress is reported");
        assertEquals(1.0, progress.getLast().fraction(), 1e-9);
    }

    @Test
    void theSimulationHasEveryKindOfEpisode() {
        for (String t : List.of(LoomEvents.RUN, LoomEvents.PARK, LoomEvents.UNPARK, LoomEvents.PINNED,
                LoomEvents.TASK, LoomEvents.REGION, LoomEvents.LOG)) {
            assertTrue(expected.getOrDefault(t, 0L) > 0, "the trace has " + t + ": " + expected);
        }
        assertTrue(result.generations() >= 2, "several generations: " + result.generations());
    }

    @Test
    void converterCountsMatchTheTrace() {
        assertEquals(expected, result.eventCounts());
    }

    @Test
    void recordingFileReadsTheSameCounts() throws Exception {
        assertEquals(expected, Readers.recordingFile(jfr, OURS));
    }

    @Test
    void jfrSummaryReadsTheSameCounts() throws Exception {
        assertEquals(expected, Readers.jfrSummary(jfr, OURS));
    }

    @Test
    void jfrPrintReadsEveryEvent() throws Exception {
        Readers.Run r = Readers.jfrTool("print", jfr.toString());
        assertEquals(0, r.exit(), r.stderr());
        assertFalse(r.stderr().contains("error"), r.stderr());
        Map<String, Long> printed = new TreeMap<>();
        for (String line : r.stdout().split("\n")) {
            if (line.endsWith(" {") && !line.startsWith(" ")) {
                String type = line.substring(0, line.length() - 2);
                if (OURS.test(type)) {
                    printed.merge(type, 1L, Long::sum);
                }
            }
        }
        assertEquals(expected, printed);
        assertTrue(r.stdout().contains("java.util.concurrent.locks.LockSupport.park()"), "stacks are printed");
    }

    @Test
    void jmcParserReadsTheSameCounts() throws Exception {
        IItemCollection items = JmcAnalysis.load(jfr);
        Map<String, Long> jmc = new TreeMap<>(JmcAnalysis.countByType(items));
        jmc.keySet().removeIf(OURS.negate());
        jmc.values().removeIf(v -> v == 0);
        assertEquals(expected, jmc);
    }

    @Test
    void everyFieldIsSetAndThreadsAreVirtualOrNot() throws Exception {
        List<Long> vts = SimulatedTrace.lastVirtualThreads;
        int checked = 0;
        for (String type : List.of(LoomEvents.RUN, LoomEvents.PARK, LoomEvents.PINNED)) {
            for (RecordedEvent e : Readers.events(jfr, type)) {
                for (ValueDescriptor f : e.getFields()) {
                    assertNotNull(e.getValue(f.getName()), type + "." + f.getName() + " is set");
                }
                RecordedThread t = e.getThread();
                long id = e.getLong("virtualThreadId");
                assertEquals(id, t.getJavaThreadId());
                // The simulated virtual threads are virtual; the platform threads that emitted events are not.
                assertEquals(vts.contains(id), t.isVirtual(), "virtual flag of thread " + id);
                if (!type.equals(LoomEvents.PARK)) {
                    RecordedThread carrier = e.getValue("carrierThread");
                    assertFalse(carrier.isVirtual(), "carriers are platform threads");
                    assertEquals(e.getLong("carrierThreadId"), carrier.getJavaThreadId());
                    if (!vts.contains(id)) {
                        assertEquals(id, carrier.getJavaThreadId(), "a platform thread is its own carrier");
                    }
                }
                if (vts.contains(id)) {
                    checked++;
                }
            }
        }
        assertTrue(checked > 0);
        RecordedEvent park = Readers.events(jfr, LoomEvents.PARK).getFirst();
        assertEquals(SimulatedTrace.PARK_REASON, park.getString("reason"));
        assertEquals("java.util.concurrent.locks.ReentrantLock", park.getString("blocker"));
        assertTrue(park.getLong("unparkerThreadId") > 0, "the unparker is known");
        assertEquals("java.util.concurrent.locks.LockSupport", park.getStackTrace().getFrames().getFirst()
                .getMethod().getType().getName());
        RecordedEvent pinned = Readers.events(jfr, LoomEvents.PINNED).getFirst();
        assertEquals(SimulatedTrace.PIN_REASON, pinned.getString("pinnedReason"));
    }

    @Test
    void jmcRulesRunWithoutErrorAndFindTheLongestParkAndPinnedBlock() throws Exception {
        Episode.Park park = longest(LoomEvents.PARK);
        Episode.Pinned pinned = null;
        assertNotNull(result.longestPark());
        assertEquals(park.duration(), result.longestPark().durationNanos());
        assertEquals(park.thread(), result.longestPark().thread());
        IItemCollection items = JmcAnalysis.load(jfr);
        List<JmcAnalysis.Outcome> outcomes = JmcAnalysis.runRules(items);
        assertTrue(outcomes.size() > 10, "JMC's rules ran: " + outcomes.size());
        for (JmcAnalysis.Outcome o : outcomes) {
            assertNull(o.error(), () -> o.ruleId() + " failed: " + o.error());
        }
        JmcAnalysis.Outcome p = JmcAnalysis.find(outcomes, LongestParkRule.ID);
        assertNotNull(p);
        assertTrue(p.severity() != Severity.NA, p.summary());
        assertTrue(p.summary().contains("virtual thread " + park.thread()), p.summary());
        assertEquals(park.duration(), p.result().getResult(LongestParkRule.LONGEST_DURATION).clampedLongValueIn(UnitLookup.NANOSECOND));
        JfrConverter.LongestWait pin = result.longestPinned();
        JmcAnalysis.Outcome q = JmcAnalysis.find(outcomes, LongestPinnedRule.ID);
        assertNotNull(q);
        assertTrue(q.summary().contains("virtual thread " + pin.thread()), q.summary());
        assertEquals(pin.durationNanos(), q.result().getResult(LongestPinnedRule.LONGEST_DURATION).clampedLongValueIn(UnitLookup.NANOSECOND));
        assertEquals(longestPinnedFromTrace(), pin.durationNanos());
    }

    /** The longest park, from the trace's own GoBlock/GoUnblock pairs. */
    private static Episode.Park longest(String ignored) throws Exception {
        Map<Long, Long> blockedAt = new java.util.HashMap<>();
        long best = -1;
        long bestG = -1;
        try (TraceParser p = TraceParser.open(trace)) {
            for (TraceEvent e; (e = p.next()) != null; ) {
                if (e.type() == dev.loomtracer.format.EventType.GO_BLOCK) {
                    blockedAt.put(e.g(), e.time());
                } else if (e.type() == dev.loomtracer.format.EventType.GO_UNBLOCK) {
                    Long at = blockedAt.remove(e.arg(0));
                    if (at != null && e.time() - at > best) {
                        best = e.time() - at;
                        bestG = e.arg(0);
                    }
                }
            }
        }
        return new Episode.Park(bestG, 0, best, "", "", null, -1, -1, true);
    }

    private static long longestPinnedFromTrace() throws Exception {
        Map<Long, Long> at = new java.util.HashMap<>();
        long best = -1;
        try (TraceParser p = TraceParser.open(trace)) {
            for (TraceEvent e; (e = p.next()) != null; ) {
                if (e.type() == dev.loomtracer.format.EventType.GO_SYSCALL_BEGIN) {
                    at.put(e.g(), e.time());
                } else if (e.type() == dev.loomtracer.format.EventType.GO_SYSCALL_END) {
                    best = Math.max(best, e.time() - at.remove(e.g()));
                }
            }
        }
        return best;
    }

    @Test
    void smallChunksMakeAMultiChunkFileWithTheSameCounts() throws Exception {
        Path multi = dir.resolve("multi.jfr");
        JfrConverter.Result r = JfrConverter.convert(trace, multi, JfrConverter.Options.defaults().withChunkEvents(50));
        assertTrue(r.chunks() > 1, "chunks: " + r.chunks());
        // Each chunk holds at most chunkEvents events (JMC's writer holds a chunk in memory): a
        // chunk that ran to the next generation boundary held a whole generation's events.
        List<Long> perChunk = Readers.eventsPerChunk(multi, dir);
        assertEquals(r.chunks(), perChunk.size(), "chunks in the file: " + perChunk);
        assertTrue(perChunk.stream().allMatch(n -> n <= 50), "events per chunk: " + perChunk);
        assertEquals(r.jfrEvents(), perChunk.stream().mapToLong(Long::longValue).sum(), "events per chunk: " + perChunk);
        assertEquals(expected, Readers.recordingFile(multi, OURS));
        assertEquals(expected, Readers.jfrSummary(multi, OURS));
        Map<String, Long> jmc = new TreeMap<>(JmcAnalysis.countByType(JmcAnalysis.load(multi)));
        jmc.keySet().removeIf(OURS.negate());
        jmc.values().removeIf(v -> v == 0);
        assertEquals(expected, jmc);
    }

    @Test
    void wallClockOptionSetsTheStart() throws Exception {
        Path out = dir.resolve("start.jfr");
        long start = java.time.Instant.parse("2025-01-31T12:00:00Z").getEpochSecond() * 1_000_000_000L;
        JfrConverter.Result r = JfrConverter.convert(trace, out, JfrConverter.Options.defaults().withStart(start));
        assertEquals("option", r.clockSource());
        java.time.Instant first = null;
        for (RecordedEvent e : Readers.events(out, LoomEvents.RUN)) {
            if (first == null || e.getStartTime().isBefore(first)) {
                first = e.getStartTime();
            }
        }
        assertNotNull(first);
        assertFalse(first.isBefore(java.time.Instant.parse("2025-01-31T12:00:00Z")));
        assertTrue(first.isBefore(java.time.Instant.parse("2025-01-31T12:00:01Z")), first.toString());
        assertTrue(Files.size(out) > 0);
    }
}

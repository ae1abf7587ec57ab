package dev.loomtracer.analysis;

import static dev.loomtracer.testing.Spi.blocks;
import static dev.loomtracer.testing.Spi.created;
import static dev.loomtracer.testing.Spi.runsToEnd;
import static dev.loomtracer.testing.Spi.traced;
import static dev.loomtracer.testing.Spi.unblocked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomtracer.format.EventType;
import dev.loomtracer.parse.ParsedStack;
import dev.loomtracer.parse.TraceEvent;
import dev.loomtracer.parse.TraceParser;
import dev.loomtracer.testing.CheckedTrace;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model's mounts (a virtual thread on a carrier, from mount to unmount) and region ends agree
 * with its own intervals and with the trace's events counted one by one: a mount is exactly the
 * union of its thread's running and pinned intervals on its carrier, a carrier holds one mount at
 * a time, the mounts that end in a block or a stop are as many as the GoBlock and GoStop events of
 * virtual threads, and every UserRegionEnd ends one region. The JFR converter's runs and regions
 * are these (jfr-bridge's ConverterTest and GoFixturesTest count them against the trace).
 */
class MountsTest {
    @TempDir
    Path dir;

    record Region(long thread, String name, long start, long end, boolean ended) {}

    static final class Recorder implements ModelListener {
        final List<Interval> intervals = new ArrayList<>();
        final List<Mount> mounts = new ArrayList<>();
        final List<Region> regions = new ArrayList<>();
        int mountBegins;

        @Override
        public void interval(Interval i) {
            intervals.add(i);
        }

        @Override
        public void mounted(ThreadInfo thread, long carrier, long time) {
            mountBegins++;
        }

        @Override
        public void unmounted(Mount m) {
            mounts.add(m);
        }

        @Override
        public void regionEnd(ThreadInfo thread, long task, String name, long start, long end, ParsedStack stack,
                              boolean ended) {
            regions.add(new Region(thread.id(), name, start, end, ended));
        }
    }

    @Test
    void mountsOfTheSimulatedWorkload() throws Exception {
        Path file = dir.resolve("sim.trace");
        SimulatedWorkload.write(file, 16, 12, Duration.ofMillis(10));
        CheckedTrace.of(file);
        check(file);
    }

    @Test
    void mountsOfGosOwnTrace() throws Exception {
        check(goTrace("basic.trace"));
    }

    private static Path goTrace(String name) throws URISyntaxException {
        return Path.of(MountsTest.class.getResource("/go-traces/" + name).toURI());
    }

    private static void check(Path file) throws Exception {
        Recorder rec = new Recorder();
        Analysis.of(file, AnalysisOptions.defaults(), rec);
        assertTrue(!rec.mounts.isEmpty(), "the trace runs virtual threads");
        assertEquals(rec.mountBegins, rec.mounts.size(), "every mount that began ended (at the latest with the trace)");

        // A mount is exactly the union of its thread's running and pinned intervals on its carrier.
        Map<Long, List<Interval>> onCpu = new HashMap<>();
        for (Interval i : rec.intervals) {
            if ((i.state() == ThreadState.RUNNING || i.state() == ThreadState.PINNED) && i.thread().isVirtual()) {
                onCpu.computeIfAbsent(i.thread().id(), k -> new ArrayList<>()).add(i);
            }
        }
        int covered = 0;
        for (Mount m : rec.mounts) {
            long sum = 0;
            for (Interval i : onCpu.getOrDefault(m.thread().id(), List.of())) {
                if (i.start() >= m.start() && i.end() <= m.end()) {
                    assertEquals(m.carrier(), i.carrier(), "an interval inside " + m + " is on its carrier: " + i);
                    sum += i.duration();
                    covered++;
                }
            }
            assertEquals(m.duration(), sum, "the running and pinned intervals inside fill " + m);
        }
        int virtualOnCpu = onCpu.values().stream().mapToInt(List::size).sum();
        assertEquals(virtualOnCpu, covered, "every running or pinned interval of a virtual thread is in one mount");

        // A carrier holds one mount at a time.
        Map<Long, List<Mount>> byCarrier = new HashMap<>();
        rec.mounts.forEach(m -> byCarrier.computeIfAbsent(m.carrier(), k -> new ArrayList<>()).add(m));
        for (List<Mount> l : byCarrier.values()) {
            l.sort(Comparator.comparingLong(Mount::start));
            for (int k = 1; k < l.size(); k++) {
                assertTrue(l.get(k).start() >= l.get(k - 1).end(), "overlapping mounts: " + l.get(k - 1) + " and " + l.get(k));
            }
        }

        // Counted from the events themselves.
        long blocks = 0;
        long stops = 0;
        long regionEnds = 0;
        long regionBegins = 0;
        try (TraceParser p = TraceParser.open(file)) {
            for (TraceEvent e; (e = p.next()) != null; ) {
                boolean virtual = e.g() != TraceEvent.NONE && e.g() != e.m();
                switch (e.type()) {
                    case EventType.GO_BLOCK -> blocks += virtual ? 1 : 0;
                    case EventType.GO_STOP -> stops += virtual ? 1 : 0;
                    case EventType.USER_REGION_BEGIN -> regionBegins++;
                    case EventType.USER_REGION_END -> regionEnds++;
                    default -> { }
                }
            }
        }
        assertEquals(blocks, rec.mounts.stream().filter(m -> m.next() == ThreadState.BLOCKED).count(), "mounts ended by a block");
        assertEquals(stops, rec.mounts.stream().filter(m -> m.next() == ThreadState.RUNNABLE
                && !ThreadModel.UNPINNED.equals(m.nextReason())).count(), "mounts ended by a stop");
        long ended = rec.regions.stream().filter(Region::ended).count();
        assertTrue(ended <= regionEnds, "a region end ends at most one region");
        assertEquals(regionBegins, rec.regions.size(), "every region begun in the trace ends once (at the latest with it)");
        for (Region r : rec.regions) {
            assertTrue(r.end() >= r.start(), r.toString());
        }
    }

    /**
     * A thread the trace first meets blocked (the engine writes GoCreateBlocked for it) has no
     * block to count: the block began before the trace showed the thread, as Go's parse says
     * (no Running->Waiting). Before the model said so, this trace counted one block of reason "";
     * then a row of 0 blocks of reason "" kept the wait for a carrier after its unblock.
     */
    @Test
    void aThreadCreatedBlockedHasNoBlockToCount() throws Exception {
        Path file = dir.resolve("created-blocked.trace");
        Thread vt = Thread.ofVirtual().unstarted(() -> {});
        CheckedTrace trace = traced(file, t -> {
            created(t, "creator", vt, true);
            unblocked(t, "waker", vt);
            blocks(t, "carrier", vt, "sleep");
            unblocked(t, "waker", vt);
            runsToEnd(t, "carrier", vt);
        }).trace();
        assertEquals(1, trace.count(e -> e.type() == EventType.GO_CREATE_BLOCKED), "the trace has the creation of a blocked thread");

        AnalysisResult r = Analysis.of(file, AnalysisOptions.defaults());
        // Nor is the wait for a carrier after its unblock a block's (a row of 0 blocks with a wait after them, before).
        assertEquals(1, r.blocking().size(), "only the sleep: " + r.blocking());
        assertEquals("sleep", r.blocking().get(0).reason());
        assertEquals(1, r.blocking().get(0).count(), r.blocking().toString());
        assertEquals(2, r.schedLatency().count(), "after each unblock: " + r.schedLatency());
    }
}

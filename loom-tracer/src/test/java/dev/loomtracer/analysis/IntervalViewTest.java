package dev.loomtracer.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomtracer.parse.TraceEvent;
import dev.loomtracer.parse.TraceParser;
import dev.loomtracer.testing.CheckedTrace;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model tells a listener that takes views ({@link ModelListener#interval(IntervalView)}) the
 * same intervals as one that takes records, in the same order, through one reused view object,
 * and both kinds answer the derived questions ({@link IntervalData#completeState()}, ...) alike.
 * The trace: the simulated workload (tasks, regions, blocks, pinned blocks), judged by the
 * validator and by Go's parser.
 */
class IntervalViewTest {
    @TempDir
    Path dir;

    @Test
    void viewsAreTheRecordsIntervalForInterval() throws Exception {
        Path file = dir.resolve("sim.trace");
        SimulatedWorkload.write(file, 16, 12, Duration.ofMillis(10));
        CheckedTrace.of(file);

        List<Interval> records = new ArrayList<>();
        ThreadModel byRecord = new ThreadModel(records::add);
        List<Interval> copies = new ArrayList<>();
        List<String> derived = new ArrayList<>();
        Map<IntervalView, Boolean> viewObjects = new IdentityHashMap<>();
        ThreadModel byView = new ThreadModel(new ModelListener() {
            @Override
            public void interval(Interval interval) {
                throw new AssertionError("the model tells views");
            }

            @Override
            public void interval(IntervalView v) {
                viewObjects.put(v, true);
                copies.add(v.toInterval());
                derived.add(derived(v));
            }
        });
        try (TraceParser p = TraceParser.open(file)) {
            for (TraceEvent e; (e = p.next()) != null; ) {
                byRecord.accept(e);
                byView.accept(e);
            }
        }
        byRecord.finish();
        byView.finish();
        assertTrue(records.size() > 100, "intervals: " + records.size());
        assertTrue(records.stream().anyMatch(i -> i.state() == ThreadState.PINNED), "pinned intervals too");
        // As text: each model has its own ThreadInfo objects, which compare by identity.
        assertEquals(records.stream().map(Interval::toString).toList(), copies.stream().map(Interval::toString).toList());
        assertEquals(records.stream().map(IntervalViewTest::derived).toList(), derived);
        assertEquals(1, viewObjects.size(), "one view object, refilled");
    }

    private static String derived(IntervalData i) {
        return i.duration() + " " + i.complete() + " " + i.endsState() + " " + i.completeState() + " " + i.stateDuration();
    }
}

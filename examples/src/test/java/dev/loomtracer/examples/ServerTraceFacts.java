package dev.loomtracer.examples;

import dev.loomtracer.analysis.Interval;
import dev.loomtracer.analysis.ModelListener;
import dev.loomtracer.analysis.ThreadModel;
import dev.loomtracer.analysis.ThreadState;
import dev.loomtracer.parse.TraceEvent;
import dev.loomtracer.parse.TraceParser;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a trace of the example server says, read with the project's parser (which validates as it
 * reads): tasks by name, regions by name, and, for every block of a goroutine, the innermost user
 * region the goroutine was in and the block reason ("region → reason" counts). What a thread was
 * doing when it blocked comes from the analysis model ({@link ThreadModel}), not from a copy of its
 * region bookkeeping here.
 */
record ServerTraceFacts(Map<String, Long> tasks, Map<String, Long> regions, Map<String, Map<String, Long>> blocksByRegion,
                  Map<String, Long> blockReasons, Map<String, Long> logs, long events) {

    static ServerTraceFacts of(Path trace) throws IOException {
        Map<String, Long> tasks = new TreeMap<>();
        Map<String, Long> regions = new TreeMap<>();
        Map<String, Map<String, Long>> blocks = new TreeMap<>();
        Map<String, Long> reasons = new TreeMap<>();
        Map<String, Long> logs = new TreeMap<>();
        ThreadModel model = new ThreadModel(new ModelListener() {
            @Override
            public void interval(Interval i) {
                // One count per block begun in the trace, with the region it blocked in.
                if (i.state() == ThreadState.BLOCKED && i.endsState() && i.stateStart() != Interval.NONE) {
                    String region = i.region().isEmpty() ? "(no region)" : i.region();
                    blocks.computeIfAbsent(region, r -> new TreeMap<>()).merge(i.reason(), 1L, Long::sum);
                }
            }
        });
        long events = 0;
        try (TraceParser p = TraceParser.open(trace)) {
            for (TraceEvent e; (e = p.next()) != null; ) {
                events++;
                model.accept(e);
                switch (e.typeName()) {
                    case "UserTaskBegin" -> tasks.merge(e.name(), 1L, Long::sum);
                    case "UserRegionBegin" -> regions.merge(e.name(), 1L, Long::sum);
                    case "UserLog" -> logs.merge(e.name(), 1L, Long::sum);
                    case "GoBlock" -> reasons.merge(e.reason(), 1L, Long::sum);
                    default -> { }
                }
            }
        }
        model.finish();
        return new ServerTraceFacts(tasks, regions, blocks, reasons, logs, events);
    }

    long blocks(String region, String reason) {
        return blocksByRegion.getOrDefault(region, Map.of()).getOrDefault(reason, 0L);
    }
}

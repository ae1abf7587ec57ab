package dev.loomtracer.examples;

import dev.loomtracer.parse.TraceEvent;
import dev.loomtracer.parse.TraceParser;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a trace of the example server says, read with the project's parser (which validates as it
 * reads): tasks by name, regions by name, and, for every block of a goroutine, the innermost user
 * region the goroutine was in and the block reason ("region → reason" counts).
 */
record ServerTraceFacts(Map<String, Long> tasks, Map<String, Long> regions, Map<String, Map<String, Long>> blocksByRegion,
                  Map<String, Long> blockReasons, Map<String, Long> logs, long events) {

    static ServerTraceFacts of(Path trace) throws IOException {
        Map<String, Long> tasks = new TreeMap<>();
        Map<String, Long> regions = new TreeMap<>();
        Map<String, Map<String, Long>> blocks = new TreeMap<>();
        Map<String, Long> reasons = new TreeMap<>();
        Map<String, Long> logs = new TreeMap<>();
        Map<Long, Deque<String>> open = new HashMap<>();
        long events = 0;
        try (TraceParser p = TraceParser.open(trace)) {
            for (TraceEvent e; (e = p.next()) != null; ) {
                events++;
                switch (e.typeName()) {
                    case "UserTaskBegin" -> tasks.merge(e.name(), 1L, Long::sum);
                    case "UserRegionBegin" -> {
                        regions.merge(e.name(), 1L, Long::sum);
                        open.computeIfAbsent(e.g(), g -> new ArrayDeque<>()).push(e.name());
                    }
                    case "UserRegionEnd" -> {
                        Deque<String> d = open.get(e.g());
                        if (d != null && !d.isEmpty()) {
                            d.pop();
                        }
                    }
                    case "UserLog" -> logs.merge(e.name(), 1L, Long::sum);
                    case "GoBlock" -> {
                        reasons.merge(e.reason(), 1L, Long::sum);
                        Deque<String> d = open.get(e.g());
                        String region = d == null || d.isEmpty() ? "(no region)" : d.peek();
                        blocks.computeIfAbsent(region, r -> new TreeMap<>()).merge(e.reason(), 1L, Long::sum);
                    }
                    default -> { }
                }
            }
        }
        return new ServerTraceFacts(tasks, regions, blocks, reasons, logs, events);
    }

    long blocks(String region, String reason) {
        return blocksByRegion.getOrDefault(region, Map.of()).getOrDefault(reason, 0L);
    }
}

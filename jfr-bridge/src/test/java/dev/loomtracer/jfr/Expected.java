package dev.loomtracer.jfr;

import static dev.loomtracer.format.EventType.*;

import dev.loomtracer.jfr.events.LoomEvents;
import dev.loomtracer.parse.TraceEvent;
import dev.loomtracer.parse.TraceParser;
import dev.loomtracer.parse.Transition;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The JFR events a trace must convert to, counted straight from the trace's events by the
 * documented mapping (docs/JFR.md), independently of the converter's pairing code.
 */
final class Expected {
    private Expected() {}

    static Map<String, Long> counts(Path trace) throws IOException {
        Map<String, Long> c = new TreeMap<>();
        Set<Long> known = new HashSet<>();
        // Platform threads (a G met on the M of its own id, docs/FORMAT.md): no runs, no pinned blocks.
        Set<Long> platform = new HashSet<>();
        boolean gc = false;
        try (TraceParser p = TraceParser.open(trace)) {
            for (TraceEvent e; (e = p.next()) != null; ) {
                if (!e.isSync()) {
                    if (e.g() != TraceEvent.NONE && e.g() == e.m()) {
                        platform.add(e.g());
                    }
                    if ((e.type() == GO_START || e.type() == GO_CREATE_SYSCALL) && e.arg(0) == e.m()) {
                        platform.add(e.arg(0));
                    }
                    if ((e.type() == GO_STATUS || e.type() == GO_STATUS_STACK) && e.arg(0) == e.arg(1)) {
                        platform.add(e.arg(0));
                    }
                }
                String type = switch (e.type()) {
                    case GO_START -> platform.contains(e.arg(0)) ? null : LoomEvents.RUN;
                    case GO_BLOCK -> LoomEvents.PARK;
                    case GO_UNBLOCK, GO_SWITCH, GO_SWITCH_DESTROY -> LoomEvents.UNPARK;
                    case GO_SYSCALL_BEGIN -> platform.contains(e.g()) ? null : LoomEvents.PINNED;
                    case USER_TASK_BEGIN -> LoomEvents.TASK;
                    case USER_REGION_BEGIN -> LoomEvents.REGION;
                    case USER_LOG -> LoomEvents.LOG;
                    case CPU_SAMPLE -> LoomEvents.EXECUTION_SAMPLE;
                    case GC_BEGIN -> {
                        gc = true;
                        yield LoomEvents.GC;
                    }
                    case GC_ACTIVE -> { // a GC already running when the trace (or a generation) starts
                        boolean first = !gc;
                        gc = true;
                        yield first ? LoomEvents.GC : null;
                    }
                    case GC_END -> {
                        gc = false;
                        yield null;
                    }
                    case STW_BEGIN -> LoomEvents.STW;
                    case GO_CREATE_SYSCALL -> platform.contains(e.arg(0)) ? null : LoomEvents.RUN; // created running in a syscall
                    case GO_STATUS, GO_STATUS_STACK -> {
                        Transition t = e.transition();
                        boolean first = !known.contains(t.id());
                        yield first && !platform.contains(t.id())
                                && (t.to() == Transition.State.RUNNING || t.to() == Transition.State.SYSCALL)
                                ? LoomEvents.RUN : null;
                    }
                    default -> null;
                };
                Transition t = e.isSync() ? null : e.transition();
                if (t != null && t.resource() == Transition.Resource.GOROUTINE) {
                    if (t.to() == Transition.State.NOT_EXIST) {
                        known.remove(t.id());
                    } else {
                        known.add(t.id());
                    }
                }
                if (type != null) {
                    c.merge(type, 1L, Long::sum);
                }
            }
        }
        return c;
    }

    /** The longest GoBlock-to-GoUnblock interval of the trace, in ns. */
    static long longestPark(Path trace) throws IOException {
        java.util.Map<Long, Long> at = new java.util.HashMap<>();
        long best = -1;
        try (TraceParser p = TraceParser.open(trace)) {
            for (TraceEvent e; (e = p.next()) != null; ) {
                if (e.type() == GO_BLOCK) {
                    at.put(e.g(), e.time());
                } else if (e.type() == GO_UNBLOCK) {
                    Long t = at.remove(e.arg(0));
                    if (t != null) {
                        best = Math.max(best, e.time() - t);
                    }
                }
            }
        }
        return best;
    }

    /** Every GoBlock-to-GoUnblock interval of the trace, sorted, in ns. */
    static long[] parkDurations(Path trace) throws IOException {
        java.util.Map<Long, Long> at = new java.util.HashMap<>();
        java.util.List<Long> all = new java.util.ArrayList<>();
        try (TraceParser p = TraceParser.open(trace)) {
            for (TraceEvent e; (e = p.next()) != null; ) {
                if (e.type() == GO_BLOCK) {
                    at.put(e.g(), e.time());
                } else if (e.type() == GO_UNBLOCK) {
                    Long t = at.remove(e.arg(0));
                    if (t != null) {
                        all.add(e.time() - t);
                    }
                }
            }
        }
        return all.stream().mapToLong(Long::longValue).sorted().toArray();
    }
}

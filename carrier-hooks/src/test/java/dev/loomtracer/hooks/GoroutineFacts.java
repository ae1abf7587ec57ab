package dev.loomtracer.hooks;

import dev.loomtracer.format.EventType;
import dev.loomtracer.hooks.core.Reasons;
import dev.loomtracer.parse.TraceEvent;
import dev.loomtracer.parse.Transition;
import dev.loomtracer.testing.CheckedTrace;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a validated trace says about each goroutine (virtual or platform thread): creations and
 * ends, blocks with their reasons and unblockers, stops, pinned episodes, and each
 * runnable-to-running latency. Built from the project's parser, in Go's event order, after both
 * judges accepted the trace ({@link CheckedTrace}).
 */
final class GoroutineFacts {
    static final long NONE = TraceEvent.NONE;

    /** One block of a G and what ended it. */
    static final class Block {
        final String reason;
        final long time;
        boolean stack;
        long unblocker = Long.MIN_VALUE; // MIN_VALUE: not unblocked in the trace; NONE: by the scheduler
        long unblockTime = -1;

        Block(String reason, long time) {
            this.reason = reason;
            this.time = time;
        }

        @Override
        public String toString() {
            return reason + (unblocker == Long.MIN_VALUE ? "" : " <- " + (unblocker == NONE ? "scheduler" : "G" + unblocker));
        }
    }

    static final class G {
        final long id;
        int creates;
        long creator = Long.MIN_VALUE;
        boolean createStack;
        int destroys;
        final List<Block> blocks = new ArrayList<>();
        final Map<String, Integer> stops = new TreeMap<>();
        int syscalls;
        final List<String> pinnedLogs = new ArrayList<>();
        /** Runnable-to-running latencies, ns, in order. */
        final List<Long> latencies = new ArrayList<>();
        /** Time it became runnable (created, unblocked, stopped), or -1 while running or waiting. */
        long runnableSince = -1;
        final List<Long> startTimes = new ArrayList<>();

        G(long id) {
            this.id = id;
        }

        Map<String, Integer> blocksByReason() {
            Map<String, Integer> m = new TreeMap<>();
            for (Block b : blocks) {
                m.merge(b.reason, 1, Integer::sum);
            }
            return m;
        }

        @Override
        public String toString() {
            return "G" + id + "[creates=" + creates + " creator=" + creator + " destroys=" + destroys + " blocks=" + blocks
                    + " stops=" + stops + " syscalls=" + syscalls + " pinned=" + pinnedLogs + "]";
        }
    }

    final CheckedTrace trace;
    final Map<Long, G> gs = new LinkedHashMap<>();

    private GoroutineFacts(CheckedTrace trace) {
        this.trace = trace;
        for (TraceEvent e : trace.events) {
            add(e);
        }
    }

    /** Validates {@code file} with both judges, then reads the facts. */
    static GoroutineFacts of(Path file) throws IOException {
        return new GoroutineFacts(CheckedTrace.of(file));
    }

    G g(long id) {
        return gs.computeIfAbsent(id, G::new);
    }

    /** The facts of {@code id}; an empty G if the trace never named it. */
    G get(long id) {
        return gs.getOrDefault(id, new G(id));
    }

    private void add(TraceEvent e) {
        Transition t = e.transition();
        switch (e.type()) {
            case EventType.GO_CREATE, EventType.GO_CREATE_BLOCKED -> {
                G c = g(t.id());
                c.creates++;
                c.creator = e.g();
                c.createStack = !e.stack().isEmpty();
                c.runnableSince = e.type() == EventType.GO_CREATE ? e.time() : -1;
            }
            case EventType.GO_START -> {
                G s = g(t.id());
                if (s.runnableSince >= 0) {
                    s.latencies.add(e.time() - s.runnableSince);
                }
                s.runnableSince = -1;
                s.startTimes.add(e.time());
            }
            case EventType.GO_BLOCK -> {
                Block b = new Block(e.reason(), e.time());
                b.stack = !e.stack().isEmpty();
                g(e.g()).blocks.add(b);
            }
            case EventType.GO_STOP -> {
                G s = g(e.g());
                s.stops.merge(e.reason(), 1, Integer::sum);
                s.runnableSince = e.time();
            }
            case EventType.GO_UNBLOCK -> {
                G u = g(t.id());
                for (int i = u.blocks.size() - 1; i >= 0; i--) {
                    Block b = u.blocks.get(i);
                    if (b.unblocker == Long.MIN_VALUE) {
                        b.unblocker = e.g();
                        b.unblockTime = e.time();
                        break;
                    }
                }
                u.runnableSince = e.time();
            }
            case EventType.GO_DESTROY, EventType.GO_DESTROY_SYSCALL -> g(e.g()).destroys++;
            case EventType.GO_SYSCALL_BEGIN -> g(e.g()).syscalls++;
            case EventType.USER_LOG -> {
                if (Reasons.PINNED_LOG_KEY.equals(e.name())) {
                    g(e.g()).pinnedLogs.add(e.message());
                }
            }
            case EventType.GO_STATUS, EventType.GO_STATUS_STACK -> {
                G s = g(t.id());
                if (t.to() == Transition.State.RUNNABLE && s.runnableSince < 0) {
                    s.runnableSince = e.time();
                }
            }
            default -> { }
        }
    }

    /** Counts of events by type name, for messages. */
    Map<String, Long> countsByType() {
        Map<String, Long> m = new HashMap<>();
        for (TraceEvent e : trace.events) {
            m.merge(e.typeName(), 1L, Long::sum);
        }
        return new TreeMap<>(m);
    }
}

package dev.loomtracer.hooks;

import dev.loomtracer.analysis.Interval;
import dev.loomtracer.analysis.ModelListener;
import dev.loomtracer.analysis.ThreadModel;
import dev.loomtracer.analysis.ThreadState;
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
 * judges accepted the trace ({@link CheckedTrace}): counts from the events themselves, and what a
 * thread was doing between two events (its blocks and who ended them, its waits for a carrier)
 * from the analysis model ({@link ThreadModel}), the one home of that knowledge.
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
        /** Runnable-to-running latencies (whole waits that began in the trace), ns, in order. */
        final List<Long> latencies = new ArrayList<>();
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
        ThreadModel model = new ThreadModel(new ModelListener() {
            @Override
            public void interval(Interval i) {
                if (!i.endsState() || i.stateStart() == Interval.NONE) {
                    return; // a piece of a state that goes on, or a state entered before the trace
                }
                G g = g(i.thread().id());
                if (i.state() == ThreadState.RUNNABLE && !i.cutAtEnd()) {
                    g.latencies.add(i.stateDuration());
                } else if (i.state() == ThreadState.BLOCKED) {
                    Block b = new Block(i.reason(), i.stateStart());
                    b.stack = !i.stack().isEmpty();
                    if (i.unblocked()) {
                        b.unblocker = i.unblocker() == null ? NONE : i.unblocker().id();
                        b.unblockTime = i.end();
                    }
                    g.blocks.add(b);
                }
            }
        });
        for (TraceEvent e : trace.events) {
            add(e);
            model.accept(e);
        }
        model.finish();
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
            }
            case EventType.GO_START -> g(t.id()).startTimes.add(e.time());
            case EventType.GO_STOP -> g(e.g()).stops.merge(e.reason(), 1, Integer::sum);
            case EventType.GO_DESTROY, EventType.GO_DESTROY_SYSCALL -> g(e.g()).destroys++;
            case EventType.GO_SYSCALL_BEGIN -> g(e.g()).syscalls++;
            case EventType.USER_LOG -> {
                if (Reasons.PINNED_LOG_KEY.equals(e.name())) {
                    g(e.g()).pinnedLogs.add(e.message());
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

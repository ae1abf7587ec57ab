package dev.loomtracer.report;

import dev.loomtracer.analysis.Interval;
import dev.loomtracer.analysis.ModelListener;
import dev.loomtracer.analysis.ThreadState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The timeline's lanes, collected from the analysis model's intervals ({@link ModelListener}):
 * one lane per carrier (which virtual thread it ran, and its group) and one per chosen thread (its
 * states), inside the chosen time windows only.
 *
 * <p>Invariant: at most {@code budget} segments are kept per window whatever the trace's size (each
 * is four numbers), so the report's size is bounded; every segment lies inside one window (clipped
 * to it); if a window held more, {@link #dropped()} counts the segments left out and the page says so.
 */
final class TimelineLanes implements ModelListener {
    /** A time window of the trace shown in the timeline, trace nanoseconds. */
    record Window(long start, long end, String why) {}

    static final String[] STATES = {"running", "runnable", "blocked", "pinned"};

    private final List<Window> windows;
    private final Set<Long> threads;
    private final int budget;
    private final Map<Long, List<Long>> carrierSegs = new TreeMap<>();
    private final Map<Long, List<Long>> threadSegs = new TreeMap<>();
    private final Map<Long, String> threadNames = new HashMap<>();
    private final Strings strings;
    private final Strings groups;
    private final long[] kept;
    private long dropped;
    private boolean stacks;
    private long origin = -1;

    /** Interns strings into a table shared with the rest of the report's JSON. */
    interface Strings {
        int index(String s);
    }

    TimelineLanes(List<Window> windows, Set<Long> threads, int budget, Strings strings, Strings groups) {
        this.windows = windows;
        this.threads = threads;
        this.budget = budget;
        this.strings = strings;
        this.groups = groups;
        this.kept = new long[windows.size()];
    }

    @Override
    public void interval(Interval i) {
        if (!i.stack().frames().isEmpty()) {
            stacks = true;
        }
        boolean onCarrier = i.thread().isVirtual() && i.carrier() != Interval.NONE
                && (i.state() == ThreadState.RUNNING || i.state() == ThreadState.PINNED);
        boolean chosen = threads.contains(i.thread().id());
        if (!onCarrier && !chosen) {
            return;
        }
        for (int k = 0; k < windows.size(); k++) {
            Window w = windows.get(k);
            long a = Math.max(w.start(), i.start());
            long b = Math.min(w.end(), i.end());
            if (a > b || (a == b && i.end() > i.start())) {
                continue;
            }
            if (onCarrier) {
                add(k, carrierSegs.computeIfAbsent(i.carrier(), c -> new ArrayList<>()), a, b,
                        strings.index(label(i)), groups.index(i.thread().group()));
            }
            if (chosen) {
                if (!i.taskType().isEmpty() || !threadNames.containsKey(i.thread().id())) {
                    threadNames.put(i.thread().id(), (i.thread().isVirtual() ? "virtual thread " : "platform thread ")
                            + i.thread().id() + (i.taskType().isEmpty() ? "" : " (" + i.taskType() + ")"));
                }
                add(k, threadSegs.computeIfAbsent(i.thread().id(), t -> new ArrayList<>()), a, b,
                        i.state().ordinal(), strings.index(i.reason()));
            }
        }
    }

    private static String label(Interval i) {
        String s = (i.thread().isVirtual() ? "virtual thread " : "platform thread ") + i.thread().id();
        if (!i.taskType().isEmpty()) {
            s += ", task " + i.taskType();
        }
        if (!i.region().isEmpty()) {
            s += ", region " + i.region();
        }
        if (i.state() == ThreadState.PINNED) {
            s += ", PINNED" + (i.reason().isEmpty() ? "" : ": " + i.reason());
        }
        return s;
    }

    private void add(int window, List<Long> segs, long a, long b, long p, long q) {
        if (kept[window] >= budget) {
            dropped++;
            return;
        }
        kept[window]++;
        segs.add(a);
        segs.add(b);
        segs.add(p);
        segs.add(q);
    }

    /** Sets the trace's first time: segments are written relative to it. */
    void origin(long t) {
        origin = t;
    }

    long dropped() {
        return dropped;
    }

    long kept() {
        return java.util.Arrays.stream(kept).sum();
    }

    /** True if any interval had a stack (the trace was taken with stacks). */
    boolean sawStacks() {
        return stacks;
    }

    /** The lanes, carriers by id then threads by id, with times relative to the origin. */
    List<HtmlReport.Lane> lanes() {
        List<HtmlReport.Lane> out = new ArrayList<>();
        carrierSegs.forEach((carrier, segs) -> out.add(new HtmlReport.Lane("carrier " + carrier, "carrier", relative(segs))));
        threadSegs.forEach((thread, segs) -> out.add(new HtmlReport.Lane(threadNames.get(thread), "thread", relative(segs))));
        return out;
    }

    private List<Long> relative(List<Long> segs) {
        for (int k = 0; k < segs.size(); k += 4) {
            segs.set(k, segs.get(k) - origin);
            segs.set(k + 1, segs.get(k + 1) - origin);
        }
        return segs;
    }
}

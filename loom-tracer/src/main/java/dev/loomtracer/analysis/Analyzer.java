package dev.loomtracer.analysis;

import dev.loomtracer.analysis.AnalysisResult.*;
import dev.loomtracer.parse.Frame;
import dev.loomtracer.parse.LongMap;
import dev.loomtracer.parse.ParsedStack;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import org.HdrHistogram.Histogram;

/**
 * Sums the model's intervals into the sections of an {@link AnalysisResult}, in one pass.
 *
 * <p>Invariant: memory is bounded by the open tasks, the live threads, the distinct reasons, stacks,
 * task types and groups (each capped at {@link #MAX_KEYS}, the rest folded into "(other)"), and
 * top-N heaps, never by the number of events or intervals.
 *
 * <p>Blocked time by stack with sampled stacks ({@code stacks=on-block} writes one block's stack in
 * 16): a block without a stack is attributed to the stacks of the blocks with its reason, in
 * proportion to their time, first among its own thread's blocks (a thread that loops blocks at the
 * same sites), else among every thread's ({@link StackShares}); a reason with no stack at all
 * stays unattributed and counted. The estimate is kept apart ({@link StackRow#estimatedNanos}).
 */
final class Analyzer implements ModelListener {
    static final int MAX_KEYS = 2000;
    static final String OTHER = "(other)";
    private static final int STEPS = 3;

    /** A count, total, max and (optionally) a histogram. */
    private static final class Acc {
        long count;
        long total;
        long max;
        long resume; // reasons: scheduler wait after the unblocks
        final Histogram h;

        Acc(int digits) {
            h = digits > 0 ? new Histogram(digits) : null;
        }

        void add(long d) {
            count++;
            total += d;
            max = Math.max(max, d);
            if (h != null) {
                h.recordValue(d);
            }
        }

        Distribution dist(String name) {
            return new Distribution(name, count, total, q(50), q(90), q(99), q(99.9), max, bins());
        }

        /** The histogram in 1-2-5 bins, first to last non-empty; empty without a histogram. */
        List<Bin> bins() {
            if (h == null || count == 0) {
                return List.of();
            }
            List<Bin> out = new ArrayList<>();
            long bound = 1;
            int step = 0; // bounds 1, 2, 5, 10, 20, 50, ...
            long inBin = 0;
            for (org.HdrHistogram.HistogramIterationValue v : h.recordedValues()) {
                long value = Math.min(max, h.medianEquivalentValue(v.getValueIteratedTo()));
                while (value > bound) {
                    if (inBin > 0 || !out.isEmpty()) {
                        out.add(new Bin(bound, inBin));
                    }
                    inBin = 0;
                    bound = step % 3 == 1 ? bound / 2 * 5 : bound * 2;
                    step++;
                }
                inBin += v.getCountAtValueIteratedTo();
            }
            out.add(new Bin(bound, inBin));
            return out;
        }

        long q(double p) {
            return h == null || count == 0 ? 0 : Math.min(max, h.getValueAtPercentile(p));
        }

        Row row(String name) {
            return new Row(name, count, total, max);
        }

        Reason reason(String reason) {
            return new Reason(reason, count, total, max, resume);
        }
    }

    static final class StackAcc {
        final List<String> frames;
        long count;
        long total;
        /** Part of {@link #total} attributed from blocks without a stack (sampled out). */
        long estimated;

        StackAcc(List<String> frames) {
            this.frames = frames;
        }
    }

    private static final class SplitAcc {
        long running;
        long runnable;
        long pinned;
        final Map<String, Acc> blocked = new HashMap<>();

        void add(Interval i) {
            long d = i.duration();
            switch (i.state()) {
                case RUNNING -> running += d;
                case RUNNABLE -> {
                    runnable += d;
                    if (i.unblocked() && i.complete()) {
                        blocked.computeIfAbsent(i.reason(), k -> new Acc(0)).resume += d;
                    }
                }
                case PINNED -> pinned += d;
                case BLOCKED -> blocked.computeIfAbsent(i.reason(), k -> new Acc(0)).add(d);
            }
        }

        void add(SplitAcc o) {
            running += o.running;
            runnable += o.runnable;
            pinned += o.pinned;
            o.blocked.forEach((k, v) -> {
                Acc a = blocked.computeIfAbsent(k, x -> new Acc(0));
                a.count += v.count;
                a.total += v.total;
                a.max = Math.max(a.max, v.max);
                a.resume += v.resume;
            });
        }

        Split split() {
            return new Split(running, runnable, pinned, reasons(blocked));
        }
    }

    private static final class OpenTask {
        final long id;
        final String type;
        final long start;
        final SplitAcc split = new SplitAcc();
        final List<Step> steps = new ArrayList<>(STEPS + 1);

        OpenTask(long id, String type, long start) {
            this.id = id;
            this.type = type;
            this.start = start;
        }

        void add(Interval i) {
            split.add(i);
            if (i.state() == ThreadState.RUNNING) {
                return;
            }
            if (steps.size() == STEPS && steps.get(STEPS - 1).durationNanos() >= i.duration()) {
                return;
            }
            int at = steps.size();
            while (at > 0 && steps.get(at - 1).durationNanos() < i.duration()) {
                at--; // longest first; an equal one stays after those before it
            }
            steps.add(at, new Step(i.thread().id(), i.state().name(), i.reason(), i.region(), where(i.stack()), i.start(),
                    i.duration()));
            if (steps.size() > STEPS) {
                steps.remove(STEPS);
            }
        }
    }

    private static final class TypeAcc {
        final Acc wall = new Acc(3);
        final SplitAcc split = new SplitAcc();
    }

    private static final class GroupAcc {
        long count;
        long exec;
        final Acc sched = new Acc(2);
        final Map<String, Acc> blocked = new HashMap<>();
    }

    private final int topN;
    private ThreadModel model;

    private final Acc sched = new Acc(3);
    private final Map<String, Acc> schedByType = new HashMap<>();
    private final Map<String, Acc> schedByGroup = new HashMap<>();
    private final PriorityQueue<Wait> worst = new PriorityQueue<>(Comparator.comparingLong(Wait::waitNanos));

    private final Map<String, Acc> blockByReason = new HashMap<>();
    private final Map<String, Acc> blockByBlocker = new HashMap<>();
    private final Map<String, Acc> blockByUnblocker = new HashMap<>();
    private final Map<String, Acc> blockedAtEnd = new HashMap<>();
    private final Map<String, StackAcc> blockByStack = new HashMap<>();
    private final Map<String, StackAcc> schedByStack = new HashMap<>();
    private final Map<String, StackAcc> pinByStack = new HashMap<>();
    private final StackShares blockShares = new StackShares(MAX_KEYS);

    private final Acc pinned = new Acc(0);
    private final Map<String, Acc> pinByReason = new HashMap<>();
    private final Map<String, Acc> pinByCarrier = new HashMap<>();
    private final PriorityQueue<Episode> longestPins = new PriorityQueue<>(Comparator.comparingLong(Episode::durationNanos));

    private final LongMap<OpenTask> openTasks = new LongMap<>(1024);
    private final Map<String, TypeAcc> taskTypes = new HashMap<>();
    private final PriorityQueue<TaskReport> slowest = new PriorityQueue<>(Comparator.comparingLong(TaskReport::wallNanos));

    private final LongMap<Acc> carrierBusy = new LongMap<>();
    private final Timeline timeline = new Timeline();

    private final Map<String, GroupAcc> groups = new HashMap<>();
    private final Map<String, String> blockers = new HashMap<>();
    private final LongMap<String> platformUnblockers = new LongMap<>();
    private String lastGroup;
    private GroupAcc lastGroupAcc;
    private final Map<String, Map<String, SplitAcc>> regions = new HashMap<>(); // task type -> region -> split
    private long threadCount;
    private long virtualCount;
    private long exec;
    private long schedWait;
    private long blocked;
    private long pinnedTotal;

    Analyzer(int topN) {
        this.topN = topN;
    }

    void attach(ThreadModel m) {
        this.model = m;
    }

    @Override
    public void interval(Interval i) {
        timeline.origin(model.firstTime());
        ThreadInfo t = i.thread();
        GroupAcc group = group(t.group());
        long d = i.duration();
        OpenTask task = i.task() == Interval.NONE ? null : openTasks.get(i.task());
        if (task != null) {
            task.add(i);
        }
        if (!i.region().isEmpty() && (i.state() == ThreadState.RUNNING || i.complete())) {
            capped(capped(regions, i.taskType(), k -> new HashMap<>()), i.region(), k -> new SplitAcc()).add(i);
        }
        switch (i.state()) {
            case RUNNING -> {
                exec += d;
                group.exec += d;
                busy(i);
            }
            case RUNNABLE -> {
                if (i.completeState()) {
                    long w = i.stateDuration(); // the whole wait, even if a task change split it
                    schedWait += w;
                    sched.add(w);
                    group.sched.add(w);
                    capped(schedByGroup, t.group(), k -> new Acc(2)).add(w);
                    if (!i.taskType().isEmpty()) {
                        capped(schedByType, i.taskType(), k -> new Acc(2)).add(w);
                    }
                    stack(schedByStack, i.stack(), w);
                    offerWorst(i);
                    timeline.waited(i.end(), w);
                    if (i.unblocked()) {
                        capped(blockByReason, i.reason(), k -> new Acc(0)).resume += w;
                        capped(group.blocked, i.reason(), k -> new Acc(0)).resume += w;
                    }
                }
            }
            case BLOCKED -> {
                if (i.completeState()) {
                    long b = i.stateDuration();
                    blocked += b;
                    capped(blockByReason, i.reason(), k -> new Acc(0)).add(b);
                    capped(group.blocked, i.reason(), k -> new Acc(0)).add(b);
                    capped(blockByBlocker, blockerOf(i.reason()), k -> new Acc(0)).add(b);
                    capped(blockByUnblocker, unblockerOf(i), k -> new Acc(0)).add(b);
                    StackAcc at = stack(blockByStack, i.stack(), b);
                    if (at != null) {
                        blockShares.sampled(t.id(), i.reason(), at, b);
                    } else {
                        blockShares.unsampled(t.id(), i.reason(), b);
                    }
                } else if (i.cutAtEnd()) {
                    capped(blockedAtEnd, i.reason(), k -> new Acc(0)).add(i.stateStart() == Interval.NONE ? d : i.stateDuration());
                }
            }
            case PINNED -> {
                busy(i);
                if (i.completeState()) {
                    long p = i.stateDuration();
                    pinnedTotal += p;
                    pinned.add(p);
                    capped(pinByReason, i.reason(), k -> new Acc(0)).add(p);
                    capped(pinByCarrier, "carrier " + i.carrier(), k -> new Acc(0)).add(p);
                    stack(pinByStack, i.stack(), p);
                    if (longestPins.size() < topN || longestPins.peek().durationNanos() < p) {
                        longestPins.add(new Episode(t.id(), i.carrier(), i.reason(),
                                i.stack().frames().stream().map(Analyzer::frame).toList(), i.stateStart(), p));
                        if (longestPins.size() > topN) {
                            longestPins.poll();
                        }
                    }
                }
            }
        }
    }

    @Override
    public void threadEnd(ThreadInfo t) {
        blockShares.threadEnd(t.id());
        threadCount++;
        if (t.isVirtual()) {
            virtualCount++;
        }
        group(t.group()).count++;
    }

    @Override
    public void taskBegin(long id, long parent, String type, long time, ThreadInfo thread) {
        openTasks.put(id, new OpenTask(id, type, time));
    }

    @Override
    public void taskEnd(long id, long time) {
        OpenTask t = openTasks.remove(id);
        if (t == null) {
            return;
        }
        long wall = time - t.start;
        TypeAcc type = capped(taskTypes, t.type, k -> new TypeAcc());
        type.wall.add(wall);
        type.split.add(t.split);
        if (slowest.size() < topN || slowest.peek().wallNanos() < wall) {
            slowest.add(new TaskReport(t.id, t.type, t.start, wall, t.split.split(), List.copyOf(t.steps)));
            if (slowest.size() > topN) {
                slowest.poll();
            }
        }
    }

    @Override
    public void runnable(long time, int runnable) {
        timeline.origin(model.firstTime());
        timeline.runnable(time, runnable);
    }

    /** The group's accumulator; consecutive intervals are mostly of one group, so the last is kept at hand. */
    private GroupAcc group(String name) {
        if (!name.equals(lastGroup)) {
            lastGroupAcc = capped(groups, name, k -> new GroupAcc());
            lastGroup = name;
        }
        return lastGroupAcc;
    }

    private void busy(Interval i) {
        if (!i.thread().isVirtual() || i.carrier() == Interval.NONE) {
            return;
        }
        carrierBusy.computeIfAbsent(i.carrier(), k -> new Acc(0)).add(i.duration());
        timeline.busy(i.start(), i.end());
    }

    private void offerWorst(Interval i) {
        if (topN <= 0 || (worst.size() >= topN && worst.peek().waitNanos() >= i.stateDuration())) {
            return;
        }
        List<CarrierNow> now = new ArrayList<>();
        for (ThreadModel.CarrierActivity a : model.carriersNow()) {
            if (!a.thread().isVirtual()) {
                continue; // a platform thread on its own M is not a carrier
            }
            now.add(new CarrierNow(a.carrier(), a.thread().id(), a.state().name(), a.since(), a.taskType(), a.region()));
        }
        worst.add(new Wait(i.thread().id(), i.thread().group(), i.taskType(), i.stateStart(), i.stateDuration(), now));
        if (worst.size() > topN) {
            worst.poll();
        }
    }

    /** {@link #blocker}, remembered per reason (a block's reason is one of few strings). */
    private String blockerOf(String reason) {
        String b = blockers.get(reason);
        if (b == null) {
            b = blocker(reason);
            if (blockers.size() < MAX_KEYS) {
                blockers.put(reason, b);
            }
        }
        return b;
    }

    /** {@link #unblocker}, with a platform thread's name remembered per id. */
    private String unblockerOf(Interval i) {
        ThreadInfo by = i.unblocker();
        if (!i.unblocked() || by == null || by.isVirtual()) {
            return unblocker(i);
        }
        String name = platformUnblockers.get(by.id());
        if (name == null) {
            name = unblocker(i);
            if (platformUnblockers.size() < MAX_KEYS) {
                platformUnblockers.put(by.id(), name);
            }
        }
        return name;
    }

    static String blocker(String reason) {
        String blocker = dev.loomtracer.format.BlockReasons.blocker(reason);
        return blocker != null ? blocker : "(" + (reason.isEmpty() ? "no reason" : dev.loomtracer.format.BlockReasons.untimed(reason)) + ")";
    }

    private static String unblocker(Interval i) {
        if (!i.unblocked()) {
            return "(not unblocked)";
        }
        ThreadInfo by = i.unblocker();
        if (by == null) {
            return "no thread (timer or scheduler)";
        }
        return by.isVirtual() ? "virtual thread" : "platform thread " + by.id();
    }

    /** "Class.method (File.java:line)" of the innermost frame, "" for an empty stack. */
    static String where(ParsedStack s) {
        return s.isEmpty() ? "" : frame(s.top());
    }

    static String frame(Frame f) {
        return f.function() + " (" + f.file() + ":" + f.line() + ")";
    }

    /** Adds a block of {@code d} ns to the row of stack {@code s}; returns the row, or null for an empty stack. */
    private static StackAcc stack(Map<String, StackAcc> m, ParsedStack s, long d) {
        if (s.isEmpty()) {
            return null;
        }
        StringBuilder key = new StringBuilder();
        for (Frame f : s.frames()) {
            key.append(f.function()).append('\0').append(f.file()).append('\0').append(f.line()).append('\n');
        }
        String k = key.toString();
        StackAcc a = m.get(k);
        if (a == null) {
            if (m.size() >= MAX_KEYS) {
                a = m.computeIfAbsent(OTHER, x -> new StackAcc(List.of(OTHER)));
            } else {
                a = new StackAcc(s.frames().stream().map(Analyzer::frame).toList());
                m.put(k, a);
            }
        }
        a.count++;
        a.total += d;
        return a;
    }

    private static <V> V capped(Map<String, V> m, String key, java.util.function.Function<String, V> make) {
        V v = m.get(key);
        if (v == null) {
            v = m.computeIfAbsent(m.size() >= MAX_KEYS ? OTHER : key, make);
        }
        return v;
    }

    private static List<Row> rows(Map<String, Acc> m, int limit) {
        return m.entrySet().stream().map(e -> e.getValue().row(e.getKey()))
                .sorted(Comparator.comparingLong(Row::totalNanos).reversed().thenComparing(Row::name))
                .limit(limit).toList();
    }

    private static List<Reason> reasons(Map<String, Acc> m) {
        return m.entrySet().stream().map(e -> e.getValue().reason(e.getKey()))
                .sorted(Comparator.comparingLong(Reason::totalNanos).reversed().thenComparing(Reason::reason)).toList();
    }

    private static List<StackRow> stacks(Map<String, StackAcc> m, int limit) {
        return m.values().stream().map(a -> new StackRow(a.frames, a.count, a.total, a.estimated))
                .sorted(Comparator.comparingLong(StackRow::totalNanos).reversed()
                        .thenComparing(r -> String.join(";", r.frames())))
                .limit(limit).toList();
    }

    private static List<Distribution> dists(Map<String, Acc> m) {
        return m.entrySet().stream().map(e -> e.getValue().dist(e.getKey()))
                .sorted(Comparator.comparingLong(Distribution::count).reversed().thenComparing(Distribution::name))
                .toList();
    }

    AnalysisResult result(TraceInfo info) {
        timeline.end(model.lastTime());
        StackShares.Unattributed missing = blockShares.finish();
        List<TaskType> types = taskTypes.entrySet().stream().map(e -> {
            Distribution w = e.getValue().wall.dist(e.getKey());
            return new TaskType(e.getKey(), w.count(), w.totalNanos(), w.p50Nanos(), w.p90Nanos(), w.p99Nanos(),
                    w.maxNanos(), e.getValue().split.split(), w.histogram());
        }).sorted(Comparator.comparingLong(TaskType::count).reversed().thenComparing(TaskType::type)).toList();
        List<Group> gs = groups.entrySet().stream().map(e -> {
            GroupAcc g = e.getValue();
            return new Group(e.getKey(), g.count, g.exec, g.sched.total, g.sched.q(99), reasons(g.blocked));
        }).sorted(Comparator.comparingLong(Group::count).reversed().thenComparing(Group::group)).toList();
        List<Row> byCarrier = java.util.Arrays.stream(carrierBusy.keys()).sorted()
                .mapToObj(k -> carrierBusy.get(k).row("carrier " + k)).toList();
        return new AnalysisResult(info, sched.dist(""), dists(schedByType), dists(schedByGroup),
                worst.stream().sorted(Comparator.comparingLong(Wait::waitNanos).reversed()).toList(),
                reasons(blockByReason), rows(blockByBlocker, Integer.MAX_VALUE), stacks(blockByStack, topN),
                rows(blockByUnblocker, Integer.MAX_VALUE), reasons(blockedAtEnd),
                new Pinning(pinned.count, pinned.total, pinned.max, rows(pinByReason, Integer.MAX_VALUE),
                        stacks(pinByStack, topN), rows(pinByCarrier, Integer.MAX_VALUE),
                        longestPins.stream().sorted(Comparator.comparingLong(Episode::durationNanos).reversed()).toList()),
                types, slowest.stream().sorted(Comparator.comparingLong(TaskReport::wallNanos).reversed()).toList(),
                new Carriers(carrierBusy.size(), timeline.width(), byCarrier, timeline.peakRunnable(),
                        timeline.buckets(carrierBusy.size())),
                gs, new Threads(threadCount, virtualCount, exec, schedWait, blocked, pinnedTotal),
                new Profiles(stacks(blockByStack, Integer.MAX_VALUE), stacks(schedByStack, Integer.MAX_VALUE),
                        stacks(pinByStack, Integer.MAX_VALUE), missing.withoutStackCount(), missing.estimatedNanos(),
                        missing.unattributedNanos()),
                regions.entrySet().stream().flatMap(t -> t.getValue().entrySet().stream()
                        .map(r -> new RegionTime(t.getKey(), r.getKey(), r.getValue().split())))
                        .sorted(Comparator.comparing(RegionTime::taskType).thenComparing(
                                Comparator.comparingLong(RegionTime::totalNanos).reversed())).toList());
    }
}

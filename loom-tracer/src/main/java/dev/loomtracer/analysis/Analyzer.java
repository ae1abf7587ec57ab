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
    private static final Comparator<Reason> BY_TOTAL = Comparator.comparingLong(Reason::totalNanos).reversed()
            .thenComparing(Reason::reason);

    /**
     * A map capped at {@link #MAX_KEYS} keys ({@link #capped}) whose last lookup is remembered by
     * identity: consecutive intervals mostly share their reason, type and group, and a key's value
     * never changes once looked up (the map only grows), so the remembered one is the map's.
     */
    private static final class Keyed<V> {
        final Map<String, V> map = new HashMap<>();
        private final java.util.function.Function<String, V> make;
        private String lastKey;
        private V last;

        Keyed(java.util.function.Function<String, V> make) {
            this.make = make;
        }

        V get(String key) {
            if (key != lastKey || last == null) {
                last = capped(map, key, make);
                lastKey = key;
            }
            return last;
        }
    }

    /**
     * Time by stack, keyed by the frames' text; a stack of a generation's table is looked up by
     * identity first, so its key is built once per generation, not per interval.
     */
    private static final class StackSums {
        private static final int REMEMBERED = 4096;
        final Map<String, StackAcc> map = new HashMap<>();
        private final Map<ParsedStack, StackAcc> byIdentity = new java.util.IdentityHashMap<>();

        /** Adds a block of {@code d} ns to the row of stack {@code s}; returns the row, or null for an empty stack. */
        StackAcc add(ParsedStack s, long d) {
            if (s.isEmpty()) {
                return null;
            }
            StackAcc a = byIdentity.get(s);
            if (a == null) {
                a = acc(s);
                if (byIdentity.size() >= REMEMBERED) {
                    byIdentity.clear(); // the stacks of past generations
                }
                byIdentity.put(s, a);
            }
            a.count++;
            a.total += d;
            return a;
        }

        private StackAcc acc(ParsedStack s) {
            StringBuilder key = new StringBuilder();
            for (Frame f : s.frames()) {
                key.append(f.function()).append('\0').append(f.file()).append('\0').append(f.line()).append('\n');
            }
            String k = key.toString();
            StackAcc a = map.get(k);
            if (a == null) {
                if (map.size() >= MAX_KEYS) {
                    a = map.computeIfAbsent(OTHER, x -> new StackAcc(List.of(OTHER)));
                } else {
                    a = new StackAcc(s.frames().stream().map(Analyzer::frame).toList());
                    map.put(k, a);
                }
            }
            return a;
        }
    }

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

        /** Zero again (only for an accumulator without a histogram). */
        Acc reset() {
            count = 0;
            total = 0;
            max = 0;
            resume = 0;
            return this;
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

    /**
     * Accumulators by reason, for the few reasons of one task or region: a list searched by identity
     * first (a reason is one string of its generation's table), a map beyond {@link #LIST}.
     */
    private static final class ReasonAccs {
        private static final int LIST = 8;
        private static final String[] NO_KEYS = {};
        private static final Acc[] NO_ACCS = {};
        private String[] keys = NO_KEYS;
        private Acc[] accs = NO_ACCS;
        private int n;
        private Map<String, Acc> map;

        Acc get(String reason) {
            if (map != null) {
                return map.computeIfAbsent(reason, k -> new Acc(0));
            }
            for (int i = 0; i < n; i++) {
                if (keys[i] == reason) {
                    return accs[i];
                }
            }
            for (int i = 0; i < n; i++) {
                if (keys[i].equals(reason)) {
                    return accs[i];
                }
            }
            Acc a = n < accs.length && accs[n] != null ? accs[n].reset() : new Acc(0); // one left by reset()
            if (n == LIST) {
                map = new HashMap<>();
                for (int i = 0; i < n; i++) {
                    map.put(keys[i], accs[i]);
                }
                map.put(reason, a);
                return a;
            }
            if (n == keys.length) {
                keys = java.util.Arrays.copyOf(keys, Math.max(2, n * 2));
                accs = java.util.Arrays.copyOf(accs, Math.max(2, n * 2));
            }
            keys[n] = reason;
            accs[n++] = a;
            return a;
        }

        /** Empty again; the list's accumulators are kept to be reused. */
        void reset() {
            n = 0;
            map = null;
        }

        void forEach(java.util.function.BiConsumer<String, Acc> f) {
            if (map != null) {
                map.forEach(f);
                return;
            }
            for (int i = 0; i < n; i++) {
                f.accept(keys[i], accs[i]);
            }
        }

        List<Reason> reasons() {
            List<Reason> l = new ArrayList<>(map != null ? map.size() : n);
            forEach((k, v) -> l.add(v.reason(k)));
            l.sort(BY_TOTAL);
            return l;
        }
    }

    private static final class SplitAcc {
        long running;
        long runnable;
        long pinned;
        final ReasonAccs blocked = new ReasonAccs();

        void reset() {
            running = 0;
            runnable = 0;
            pinned = 0;
            blocked.reset();
        }

        void add(IntervalView i) {
            long d = i.duration();
            switch (i.state()) {
                case RUNNING -> running += d;
                case RUNNABLE -> {
                    runnable += d;
                    if (i.unblocked() && i.complete()) {
                        blocked.get(i.reason()).resume += d;
                    }
                }
                case PINNED -> pinned += d;
                case BLOCKED -> blocked.get(i.reason()).add(d);
            }
        }

        void add(SplitAcc o) {
            running += o.running;
            runnable += o.runnable;
            pinned += o.pinned;
            ReasonAccs b = o.blocked;
            if (b.map != null) {
                b.map.forEach(this::addBlocked);
            } else {
                for (int i = 0; i < b.n; i++) { // (no lambda made per task)
                    addBlocked(b.keys[i], b.accs[i]);
                }
            }
        }

        private void addBlocked(String reason, Acc v) {
            Acc a = blocked.get(reason);
            a.count += v.count;
            a.total += v.total;
            a.max = Math.max(a.max, v.max);
            a.resume += v.resume;
        }

        Split split() {
            return new Split(running, runnable, pinned, blocked.reasons());
        }
    }

    /**
     * A task begun and not ended: its split so far and its longest steps. Reused for a later task
     * once its own has ended ({@link #reset}), so a task costs no allocation once the open tasks
     * have been seen.
     */
    private static final class OpenTask {
        long id;
        String type;
        long start;
        final SplitAcc split = new SplitAcc();
        // Its longest intervals other than running, longest first (copied: the view is reused);
        // Steps are made only for a task that enters the slowest list.
        final StepSlot[] steps = {new StepSlot(), new StepSlot(), new StepSlot()};
        int stepCount;

        OpenTask reset(long id, String type, long start) {
            this.id = id;
            if (this.type != type) { // (G1's write barrier, as above)
                this.type = type;
            }
            this.start = start;
            split.reset();
            stepCount = 0;
            return this;
        }

        void add(IntervalView i) {
            split.add(i);
            if (i.state() == ThreadState.RUNNING) {
                return;
            }
            long d = i.duration();
            if (stepCount == STEPS && steps[STEPS - 1].duration >= d) {
                return;
            }
            int at = stepCount;
            while (at > 0 && steps[at - 1].duration < d) {
                at--; // longest first; an equal one stays after those before it
            }
            int last = Math.min(stepCount, STEPS - 1); // the slot to fill: a free one, or the shortest's
            StepSlot slot = steps[last];
            System.arraycopy(steps, at, steps, at + 1, last - at);
            steps[at] = slot.of(i);
            stepCount = Math.min(stepCount + 1, STEPS);
        }

        List<Step> steps() {
            List<Step> l = new ArrayList<>(stepCount);
            for (int k = 0; k < stepCount; k++) {
                StepSlot i = steps[k];
                l.add(new Step(i.thread, i.state.name(), i.reason, i.region, where(i.stack), i.start, i.duration));
            }
            return List.copyOf(l);
        }
    }

    /** What a task's step keeps of its interval. */
    private static final class StepSlot {
        long thread;
        ThreadState state;
        String reason;
        String region;
        ParsedStack stack;
        long start;
        long duration;

        StepSlot of(IntervalView i) {
            thread = i.thread().id();
            // References stored only when they change (G1's write barrier: see ThreadModel.emitPiece).
            if (state != i.state()) {
                state = i.state();
            }
            if (reason != i.reason()) {
                reason = i.reason();
            }
            if (region != i.region()) {
                region = i.region();
            }
            if (stack != i.stack()) {
                stack = i.stack();
            }
            start = i.start();
            duration = i.duration();
            return this;
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
        final Keyed<Acc> blocked = new Keyed<>(k -> new Acc(0));
    }

    private final int topN;
    private ThreadModel model;

    private final Acc sched = new Acc(3);
    private final Keyed<Acc> schedByType = new Keyed<>(k -> new Acc(2));
    private final Keyed<Acc> schedByGroup = new Keyed<>(k -> new Acc(2));
    private final PriorityQueue<Wait> worst = new PriorityQueue<>(Comparator.comparingLong(Wait::waitNanos));

    private final Keyed<Acc> blockByReason = new Keyed<>(k -> new Acc(0));
    private final Keyed<Acc> blockByBlocker = new Keyed<>(k -> new Acc(0));
    private final Keyed<Acc> blockByUnblocker = new Keyed<>(k -> new Acc(0));
    private final Keyed<Acc> blockedAtEnd = new Keyed<>(k -> new Acc(0));
    private final StackSums blockByStack = new StackSums();
    private final StackSums schedByStack = new StackSums();
    private final StackSums pinByStack = new StackSums();
    private final StackShares blockShares = new StackShares(MAX_KEYS);

    private final Acc pinned = new Acc(0);
    private final Keyed<Acc> pinByReason = new Keyed<>(k -> new Acc(0));
    private final Keyed<Acc> pinByCarrier = new Keyed<>(k -> new Acc(0));
    private final PriorityQueue<Episode> longestPins = new PriorityQueue<>(Comparator.comparingLong(Episode::durationNanos));

    private final LongMap<OpenTask> openTasks = new LongMap<>(1024); // getRecent: a thread's intervals come in runs
    private final java.util.ArrayDeque<OpenTask> freeTasks = new java.util.ArrayDeque<>(); // ended, to reuse
    private final Keyed<TypeAcc> taskTypes = new Keyed<>(k -> new TypeAcc());
    private final PriorityQueue<TaskReport> slowest = new PriorityQueue<>(Comparator.comparingLong(TaskReport::wallNanos));

    private final LongMap<Acc> carrierBusy = new LongMap<>(); // getRecent
    private final Timeline timeline = new Timeline();

    private final Keyed<GroupAcc> groups = new Keyed<>(k -> new GroupAcc());
    private final Map<String, String> blockers = new HashMap<>();
    private String lastBlockReason; // the reason whose blocker was looked up last, and its accumulator
    private Acc lastBlocker;
    private final LongMap<String> platformUnblockers = new LongMap<>();
    private ThreadInfo lastUnblocker; // the platform thread whose name was looked up last, and its name
    private String lastUnblockerName;
    private final Keyed<Keyed<SplitAcc>> regions = new Keyed<>(k -> new Keyed<>(r -> new SplitAcc())); // task type -> region -> split
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
        interval(IntervalView.of(i));
    }

    @Override
    public void interval(IntervalView i) {
        timeline.origin(model.firstTime());
        ThreadInfo t = i.thread();
        GroupAcc group = groups.get(t.group());
        long d = i.duration();
        OpenTask task = openTask(i.task());
        if (task != null) {
            task.add(i);
        }
        if (!i.region().isEmpty() && (i.state() == ThreadState.RUNNING || i.complete())) {
            regions.get(i.taskType()).get(i.region()).add(i);
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
                    schedByGroup.get(t.group()).add(w);
                    if (!i.taskType().isEmpty()) {
                        schedByType.get(i.taskType()).add(w);
                    }
                    schedByStack.add(i.stack(), w);
                    offerWorst(i);
                    timeline.waited(i.end(), w);
                    if (i.unblocked()) {
                        blockByReason.get(i.reason()).resume += w;
                        group.blocked.get(i.reason()).resume += w;
                    }
                }
            }
            case BLOCKED -> {
                if (i.completeState()) {
                    long b = i.stateDuration();
                    blocked += b;
                    blockByReason.get(i.reason()).add(b);
                    group.blocked.get(i.reason()).add(b);
                    blockerAcc(i.reason()).add(b);
                    blockByUnblocker.get(unblockerOf(i)).add(b);
                    StackAcc at = blockByStack.add(i.stack(), b);
                    if (at != null) {
                        blockShares.sampled(t, i.reason(), at, b);
                    } else {
                        blockShares.unsampled(t, i.reason(), b);
                    }
                } else if (i.cutAtEnd()) {
                    blockedAtEnd.get(i.reason()).add(i.stateStart() == Interval.NONE ? d : i.stateDuration());
                }
            }
            case PINNED -> {
                busy(i);
                if (i.completeState()) {
                    long p = i.stateDuration();
                    pinnedTotal += p;
                    pinned.add(p);
                    pinByReason.get(i.reason()).add(p);
                    pinByCarrier.get("carrier " + i.carrier()).add(p);
                    pinByStack.add(i.stack(), p);
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
        blockShares.threadEnd(t);
        threadCount++;
        if (t.isVirtual()) {
            virtualCount++;
        }
        groups.get(t.group()).count++;
    }

    @Override
    public void taskBegin(long id, long parent, String type, long time, ThreadInfo thread) {
        OpenTask t = freeTasks.poll();
        openTasks.put(id, (t == null ? new OpenTask() : t).reset(id, type, time));
    }

    @Override
    public void taskEnd(long id, long time) {
        OpenTask t = openTasks.remove(id);
        if (t == null) {
            return;
        }
        long wall = time - t.start;
        TypeAcc type = taskTypes.get(t.type);
        type.wall.add(wall);
        type.split.add(t.split);
        if (slowest.size() < topN || slowest.peek().wallNanos() < wall) {
            slowest.add(new TaskReport(t.id, t.type, t.start, wall, t.split.split(), t.steps()));
            if (slowest.size() > topN) {
                slowest.poll();
            }
        }
        freeTasks.push(t);
    }

    @Override
    public void runnable(long time, int runnable) {
        timeline.origin(model.firstTime());
        timeline.runnable(time, runnable);
    }

    /** The open task {@code id}, or null. */
    private OpenTask openTask(long id) {
        return id == Interval.NONE ? null : openTasks.getRecent(id);
    }

    private void busy(IntervalView i) {
        if (!i.thread().isVirtual() || i.carrier() == Interval.NONE) {
            return;
        }
        Acc busy = carrierBusy.getRecent(i.carrier());
        if (busy == null) {
            busy = new Acc(0);
            carrierBusy.put(i.carrier(), busy);
        }
        busy.add(i.duration());
        timeline.busy(i.start(), i.end());
    }

    private void offerWorst(IntervalView i) {
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

    /** The by-blocker accumulator of a block's reason; the last one is kept at hand. */
    private Acc blockerAcc(String reason) {
        if (reason != lastBlockReason || lastBlocker == null) {
            lastBlocker = blockByBlocker.get(blockerOf(reason));
            lastBlockReason = reason;
        }
        return lastBlocker;
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
    private String unblockerOf(IntervalView i) {
        ThreadInfo by = i.unblocker();
        if (!i.unblocked() || by == null || by.isVirtual()) {
            return unblocker(i);
        }
        if (by == lastUnblocker) {
            return lastUnblockerName;
        }
        String name = platformUnblockers.get(by.id());
        if (name == null) {
            name = unblocker(i);
            if (platformUnblockers.size() < MAX_KEYS) {
                platformUnblockers.put(by.id(), name);
            }
        }
        lastUnblocker = by;
        lastUnblockerName = name;
        return name;
    }

    static String blocker(String reason) {
        String blocker = dev.loomtracer.format.BlockReasons.blocker(reason);
        return blocker != null ? blocker : "(" + (reason.isEmpty() ? "no reason" : dev.loomtracer.format.BlockReasons.untimed(reason)) + ")";
    }

    private static String unblocker(IntervalView i) {
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
        return m.entrySet().stream().map(e -> e.getValue().reason(e.getKey())).sorted(BY_TOTAL).toList();
    }

    private static List<StackRow> stacks(StackSums m, int limit) {
        return m.map.values().stream().map(a -> new StackRow(a.frames, a.count, a.total, a.estimated))
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
        List<TaskType> types = taskTypes.map.entrySet().stream().map(e -> {
            Distribution w = e.getValue().wall.dist(e.getKey());
            return new TaskType(e.getKey(), w.count(), w.totalNanos(), w.p50Nanos(), w.p90Nanos(), w.p99Nanos(),
                    w.maxNanos(), e.getValue().split.split(), w.histogram());
        }).sorted(Comparator.comparingLong(TaskType::count).reversed().thenComparing(TaskType::type)).toList();
        List<Group> gs = groups.map.entrySet().stream().map(e -> {
            GroupAcc g = e.getValue();
            return new Group(e.getKey(), g.count, g.exec, g.sched.total, g.sched.q(99), reasons(g.blocked.map));
        }).sorted(Comparator.comparingLong(Group::count).reversed().thenComparing(Group::group)).toList();
        List<Row> byCarrier = java.util.Arrays.stream(carrierBusy.keys()).sorted()
                .mapToObj(k -> carrierBusy.get(k).row("carrier " + k)).toList();
        return new AnalysisResult(info, sched.dist(""), dists(schedByType.map), dists(schedByGroup.map),
                worst.stream().sorted(Comparator.comparingLong(Wait::waitNanos).reversed()).toList(),
                reasons(blockByReason.map), rows(blockByBlocker.map, Integer.MAX_VALUE), stacks(blockByStack, topN),
                rows(blockByUnblocker.map, Integer.MAX_VALUE), reasons(blockedAtEnd.map),
                new Pinning(pinned.count, pinned.total, pinned.max, rows(pinByReason.map, Integer.MAX_VALUE),
                        stacks(pinByStack, topN), rows(pinByCarrier.map, Integer.MAX_VALUE),
                        longestPins.stream().sorted(Comparator.comparingLong(Episode::durationNanos).reversed()).toList()),
                types, slowest.stream().sorted(Comparator.comparingLong(TaskReport::wallNanos).reversed()).toList(),
                new Carriers(carrierBusy.size(), timeline.width(), byCarrier, timeline.peakRunnable(),
                        timeline.buckets(carrierBusy.size())),
                gs, new Threads(threadCount, virtualCount, exec, schedWait, blocked, pinnedTotal),
                new Profiles(stacks(blockByStack, Integer.MAX_VALUE), stacks(schedByStack, Integer.MAX_VALUE),
                        stacks(pinByStack, Integer.MAX_VALUE), missing.withoutStackCount(), missing.estimatedNanos(),
                        missing.unattributedNanos()),
                regions.map.entrySet().stream().flatMap(t -> t.getValue().map.entrySet().stream()
                        .map(r -> new RegionTime(t.getKey(), r.getKey(), r.getValue().split())))
                        .sorted(Comparator.comparing(RegionTime::taskType).thenComparing(
                                Comparator.comparingLong(RegionTime::totalNanos).reversed())).toList());
    }
}

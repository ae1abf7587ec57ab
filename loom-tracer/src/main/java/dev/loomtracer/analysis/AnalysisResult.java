package dev.loomtracer.analysis;

import java.util.List;

/**
 * Everything {@link Analysis} answers about a trace, by section. The JSON form
 * ({@code loomtrace analyze --json}, {@link AnalysisJson}) uses the record component names as keys:
 * they are stable (added to, never renamed); see docs/ANALYSIS.md.
 *
 * <p>Conventions for every number: times are nanoseconds of trace time; "blocked", "scheduler
 * wait" and "pinned" sum only intervals whose begin and end are both in the trace (an interval
 * cut by the trace's start or end has an unknown length); "running" (exec) time also sums cut
 * running intervals up to the trace's edge, as Go's goroutine analysis does. Percentiles come from
 * an HdrHistogram with 3 significant digits (within 0.1 %); counts, totals and maxima are exact.
 *
 * @param trace        what was read
 * @param schedLatency scheduler latency: each wait of a thread from runnable (created, unblocked,
 *                     yielded) to running on a carrier
 * @param schedLatencyByTaskType the same, per task type (the task the waiting thread worked for)
 * @param schedLatencyByGroup the same, per thread group
 * @param worstWaits   the longest scheduler waits, longest first, with what the carriers ran when each ended
 * @param blocking     blocked time by reason (each block: from the block to the unblock), most total first
 * @param blockingByBlocker by the class of the object parked on (the part of a {@code park X} reason after "park")
 * @param blockingByStack by the stack where the thread blocked (top N by total; needs a trace with stacks)
 * @param blockingByUnblocker by who ended the block: "virtual thread", "platform thread N", or
 *                     "no thread (timer or scheduler)" when the unblock came from a carrier running no thread
 * @param blockedAtEnd threads still blocked when the trace ended, by reason (time up to the end)
 * @param pinned       blocks while pinned to the carrier (the carrier is held all the while)
 * @param tasks        per task type: wall-time distribution and where the time went
 * @param slowestTasks the slowest tasks, slowest first, each with its split and longest steps
 * @param carriers     carrier utilization and run-queue length over time
 * @param groups       thread groups (Go's goroutine analysis in Java terms)
 * @param threads      totals over every thread
 * @param profiles     time by stack for {@code --collapsed}, every distinct stack (not written to JSON)
 * @param regions      time spent inside each user region (innermost), per task type and region name, by state
 */
public record AnalysisResult(TraceInfo trace, Distribution schedLatency, List<Distribution> schedLatencyByTaskType,
                             List<Distribution> schedLatencyByGroup, List<Wait> worstWaits, List<Reason> blocking,
                             List<Row> blockingByBlocker, List<StackRow> blockingByStack, List<Row> blockingByUnblocker,
                             List<Reason> blockedAtEnd, Pinning pinned, List<TaskType> tasks, List<TaskReport> slowestTasks,
                             Carriers carriers, List<Group> groups, Threads threads, Profiles profiles,
                             List<RegionTime> regions) {

    /**
     * @param version          "go 1.23" or "go 1.22"
     * @param bytes            bytes read
     * @param generations      complete generations analysed
     * @param events           events analysed (Sync excluded)
     * @param startNanos       trace time of the first event (every other time in the result is on this clock)
     * @param durationNanos    from the first to the last event
     * @param schedulingEvents blocks, unblocks, yields and pinned blocks told by a capture layer; 0 means
     *                         the trace holds annotations only (taken without the agent or the tracing scheduler)
     * @param cut              null for a whole trace; for {@code --partial} on a truncated trace, what was cut
     * @param peakLiveThreads  most threads the model held at once (its memory bound)
     */
    public record TraceInfo(String version, long bytes, long generations, long events, long startNanos, long durationNanos,
                            long schedulingEvents, String cut, long peakLiveThreads) {
        /** True if the trace says anything about scheduling. */
        public boolean hasScheduling() {
            return schedulingEvents > 0;
        }
    }

    /**
     * A latency distribution named {@code name} (empty for the overall one); {@code histogram}: its
     * counts in 1-2-5 bins (see {@link Bin}), from the first non-empty bin to the last.
     */
    public record Distribution(String name, long count, long totalNanos, long p50Nanos, long p90Nanos, long p99Nanos,
                               long p999Nanos, long maxNanos, List<Bin> histogram) {}

    /**
     * A histogram bin: {@code count} values above the previous bin's bound, up to {@code upToNanos}
     * inclusive; bounds run 1, 2, 5, 10, 20, 50 ... ns (values as the HdrHistogram holds them, to
     * its precision).
     */
    public record Bin(long upToNanos, long count) {}

    /** A count and time of intervals sharing {@code name} (a blocker class, an unblocker, a carrier, a pin reason). */
    public record Row(String name, long count, long totalNanos, long maxNanos) {}

    /**
     * Blocks with one {@code reason} (the block reason the capture layer wrote, e.g. {@code sleep},
     * {@code sync: park ReentrantLock$NonfairSync}, {@code sync: monitor enter}; "" if none): how many, their
     * total and longest time (from block to unblock); {@code resumeWaitNanos}: the scheduler wait
     * after those unblocks, before the thread ran again (so a caller timing the blocking call sees
     * about {@code totalNanos + resumeWaitNanos}).
     */
    public record Reason(String reason, long count, long totalNanos, long maxNanos, long resumeWaitNanos) {}

    /**
     * The rows of one untimed reason ({@link dev.loomtracer.format.BlockReasons#untimed}: {@code sleep}
     * for {@code sleep 1 ms}, {@code sleep 2 ms}, ...): {@code all} their sum (count, total and
     * resume wait summed, the longest block), {@code forms} the rows as traced, most total first.
     */
    public record ReasonGroup(Reason all, List<Reason> forms) {}

    /**
     * {@code rows} grouped by their untimed reason, most total first, so that timed waits of many
     * lengths do not fragment a table (docs/ANALYSIS.md, "Timed waits").
     */
    public static List<ReasonGroup> byUntimedReason(List<Reason> rows) {
        java.util.Map<String, List<Reason>> groups = new java.util.LinkedHashMap<>();
        for (Reason r : rows) {
            groups.computeIfAbsent(dev.loomtracer.format.BlockReasons.untimed(r.reason()), k -> new java.util.ArrayList<>()).add(r);
        }
        java.util.Comparator<Reason> mostFirst = java.util.Comparator.comparingLong(Reason::totalNanos).reversed()
                .thenComparing(Reason::reason);
        List<ReasonGroup> out = new java.util.ArrayList<>(groups.size());
        groups.forEach((name, forms) -> {
            forms.sort(mostFirst);
            long count = 0;
            long total = 0;
            long max = 0;
            long resume = 0;
            for (Reason f : forms) {
                count += f.count();
                total += f.totalNanos();
                max = Math.max(max, f.maxNanos());
                resume += f.resumeWaitNanos();
            }
            out.add(new ReasonGroup(new Reason(name, count, total, max, resume), List.copyOf(forms)));
        });
        out.sort(java.util.Comparator.comparing(ReasonGroup::all, mostFirst));
        return out;
    }

    /**
     * Time by stack: {@code frames} innermost first, each "Class.method (File.java:line)";
     * {@code count}: the blocks (waits) that carried this stack; {@code totalNanos}: their time plus
     * {@code estimatedNanos}, the time of blocks without a stack (sampled out, {@code stacks=on-block})
     * attributed to this stack by their reason (docs/ANALYSIS.md, "Sampled stacks"); 0 when every
     * block had its stack.
     */
    public record StackRow(List<String> frames, long count, long totalNanos, long estimatedNanos) {
        public StackRow(List<String> frames, long count, long totalNanos) {
            this(frames, count, totalNanos, 0);
        }
    }

    /**
     * One scheduler wait: {@code thread} waited {@code waitNanos} from {@code start} (trace time) for a
     * carrier; {@code carriers}: what every carrier was running when the wait ended (each thread and
     * since when), the snapshot that tells why no carrier was free.
     */
    public record Wait(long thread, String group, String taskType, long start, long waitNanos,
                       List<CarrierNow> carriers) {}

    /** A carrier running {@code thread} (in state RUNNING or PINNED) since {@code since}. */
    public record CarrierNow(long carrier, long thread, String state, long since, String taskType, String region) {}

    /**
     * Blocks while pinned (the virtual thread blocked without unmounting, so its carrier was held).
     * {@code byReason}: the reason the capture layer logged ({@code loomtrace.pinned}), "" if none;
     * {@code byCarrier}: how long each carrier was held; {@code longest}: the longest blocks, longest first.
     */
    public record Pinning(long count, long totalNanos, long maxNanos, List<Row> byReason, List<StackRow> byStack,
                          List<Row> byCarrier, List<Episode> longest) {}

    /**
     * One pinned block: {@code thread} held {@code carrier} from {@code start} for
     * {@code durationNanos}; {@code reason} as in {@link Pinning}; {@code stack} innermost first
     * (empty without stacks).
     */
    public record Episode(long thread, long carrier, String reason, List<String> stack, long start, long durationNanos) {}

    /**
     * Where time went, summed over every interval of every thread while it worked for a task (in one
     * of its regions, or the task was begun on it and had not ended): {@code runningNanos} on a
     * carrier, {@code runnableNanos} waiting for one, {@code pinnedNanos} blocked while pinned,
     * {@code blocked} by reason. With several threads per task the sum can exceed the wall time.
     */
    public record Split(long runningNanos, long runnableNanos, long pinnedNanos, List<Reason> blocked) {
        /** Total blocked time. */
        public long blockedNanos() {
            return blocked.stream().mapToLong(Reason::totalNanos).sum();
        }
    }

    /** Tasks of one type that began and ended in the trace: wall time from begin to end, and the summed split. */
    public record TaskType(String type, long count, long totalNanos, long p50Nanos, long p90Nanos, long p99Nanos,
                           long maxNanos, Split split, List<Bin> histogram) {}

    /** One task: its wall time, split, and its longest non-running steps. */
    public record TaskReport(long id, String type, long start, long wallNanos, Split split, List<Step> longestSteps) {}

    /**
     * One interval of a task: {@code state} (BLOCKED, RUNNABLE, PINNED), {@code reason}, {@code region},
     * {@code where} (innermost frame of the interval's stack, "" without stacks).
     */
    public record Step(long thread, String state, String reason, String region, String where, long start,
                       long durationNanos) {}

    /**
     * Carriers (threads that ran virtual threads): {@code count}; per carrier its busy time (running
     * or pinned); {@code timeline}: the trace in buckets of {@code bucketNanos}, each with the busy
     * fraction of all carriers and the run-queue length (runnable threads, time-averaged and peak).
     */
    public record Carriers(int count, long bucketNanos, List<Row> byCarrier, long peakRunnable, List<Bucket> timeline) {}

    /**
     * One time bucket starting at {@code start}: busy fraction 0..1, mean and peak runnable threads;
     * the scheduler waits that ended in it: how many, their total and the longest (scheduler latency
     * over time).
     */
    public record Bucket(long start, double busy, double meanRunnable, int peakRunnable, long waits, long waitNanos,
                         long maxWaitNanos) {}

    /**
     * Threads grouped by {@link ThreadInfo#group()}: how many, their running time, scheduler wait
     * (total and p99 of single waits) and blocked time by reason.
     */
    public record Group(String group, long count, long execNanos, long schedWaitNanos, long p99SchedWaitNanos,
                              List<Reason> blocked) {}

    /**
     * Totals over all threads: {@code count} threads seen ({@code virtualCount} of them virtual),
     * {@code execNanos} running, {@code schedWaitNanos} runnable before running,
     * {@code blockedNanos} blocked, {@code pinnedNanos} blocked while pinned.
     */
    public record Threads(long count, long virtualCount, long execNanos, long schedWaitNanos, long blockedNanos,
                          long pinnedNanos) {}

    /**
     * Time of threads while {@code region} was their innermost region, in tasks of {@code taskType}
     * ("" outside a task), split by state: the time a caller timing the region's code would measure,
     * summed over every entry.
     */
    public record RegionTime(String taskType, String region, Split split) {
        /** All of it: running, waiting for a carrier, blocked, pinned. */
        public long totalNanos() {
            return split.runningNanos() + split.runnableNanos() + split.pinnedNanos() + split.blockedNanos();
        }
    }

    /**
     * Time by stack, every distinct stack: blocked, scheduler wait (by where the thread resumes),
     * pinned. {@code blockedWithoutStack}: complete blocks that carried no stack; of their time,
     * {@code blockedEstimatedNanos} was attributed to stacks of the same reason (in {@code blocked}'s
     * rows) and {@code blockedUnattributedNanos} to none (no block of that reason had a stack).
     */
    public record Profiles(List<StackRow> blocked, List<StackRow> schedWait, List<StackRow> pinned,
                           long blockedWithoutStack, long blockedEstimatedNanos, long blockedUnattributedNanos) {
        public Profiles(List<StackRow> blocked, List<StackRow> schedWait, List<StackRow> pinned) {
            this(blocked, schedWait, pinned, 0, 0, 0);
        }
    }
}

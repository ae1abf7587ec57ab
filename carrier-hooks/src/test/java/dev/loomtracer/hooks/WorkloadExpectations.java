package dev.loomtracer.hooks;

import dev.loomtracer.hooks.KnownBlocksWorkload.Kind;
import dev.loomtracer.format.BlockReasons;
import dev.loomtracer.hooks.core.Reasons;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What the trace of the {@link KnownBlocksWorkload} must show, per subject, on each capture path: exactly
 * {@code count} blocks, all with the kind's reason, each unblocked by the thread that really
 * woke it; created once by the driver, ended once.
 */
final class WorkloadExpectations {
    enum Path { SCHEDULER, AGENT }

    private WorkloadExpectations() {}

    /**
     * The reason of kind {@code k}'s blocks. A timed wait carries the time it asked for (issue 10):
     * a sleep its length, rounded up to two digits; the TIMED_ kinds their timeout (the remaining
     * time AQS parks for rounds up to it).
     */
    static String reason(Kind k, long sleepNanos) {
        return switch (k) {
            case PARK -> Reasons.PARK;
            case SLEEP -> BlockReasons.timed(Reasons.SLEEP, sleepNanos);
            case LOCK -> BlockReasons.parkOn("ReentrantLock$NonfairSync");
            case TIMED_LOCK -> BlockReasons.timed(BlockReasons.parkOn("ReentrantLock$NonfairSync"), KnownBlocksWorkload.TIMEOUT_MILLIS * 1_000_000);
            case TIMED_WAIT -> BlockReasons.timed(Reasons.WAIT, KnownBlocksWorkload.TIMEOUT_MILLIS * 1_000_000);
            case MONITOR -> Reasons.MONITOR;
            case WAIT -> Reasons.WAIT;
            case SOCKET -> Reasons.NETWORK;
            case QUEUE -> Reasons.QUEUE_TAKE;
            case JOIN -> Reasons.JOIN;
            case YIELD, CLINIT -> null;
        };
    }

    /** The whole workload ({@link KnownBlocksWorkload#run(java.util.concurrent.ThreadFactory)}). */
    static void check(KnownBlocksWorkload.Result r, GoroutineFacts f, Path path) {
        check(r, f, path, List.of(Kind.values()));
    }

    /**
     * {@code kinds}: the kinds the workload was asked to run, in order; a result that lists other
     * subjects (a child that wrote nothing, or stopped early) fails before any trace fact is read.
     */
    static void check(KnownBlocksWorkload.Result r, GoroutineFacts f, Path path, List<Kind> kinds) {
        assertEquals(kinds, r.subjects().stream().map(KnownBlocksWorkload.Subject::kind).toList(), "the workload's subjects");
        assertTrue(r.driver() > 0, "the workload recorded its driver thread");
        List<String> problems = new ArrayList<>();
        for (KnownBlocksWorkload.Subject s : r.subjects()) {
            GoroutineFacts.G g = f.get(s.subject());
            String where = s.kind() + " subject G" + s.subject() + " " + g;
            if (g.creates != 1) {
                problems.add(where + ": created " + g.creates + " times, expected once");
            } else if (g.creator != r.driver()) {
                problems.add(where + ": created by G" + g.creator + ", expected the driver G" + r.driver());
            }
            if (g.destroys != 1) {
                problems.add(where + ": ended " + g.destroys + " times, expected once");
            }
            int n = s.kind().count;
            switch (s.kind()) {
                case YIELD -> {
                    if (!g.blocks.isEmpty()) {
                        problems.add(where + ": blocked, expected only yields");
                    }
                    if (g.stops.getOrDefault(Reasons.YIELD, 0) != n) {
                        problems.add(where + ": " + g.stops + " stops, expected " + n + " yields");
                    }
                }
                case CLINIT -> {
                    if (!g.blocks.isEmpty()) {
                        problems.add(where + ": blocked, but a pinned park holds its carrier");
                    }
                    int expected = path == Path.AGENT ? n : 0; // a scheduler never sees a pinned park
                    if (g.syscalls != expected) {
                        problems.add(where + ": " + g.syscalls + " pinned episodes, expected " + expected);
                    }
                    if (g.pinnedLogs.size() != expected
                            || !g.pinnedLogs.stream().allMatch(l -> l.equals("park while pinned (native frame)"))) {
                        problems.add(where + ": pinned logs " + g.pinnedLogs + ", expected " + expected
                                + " x 'park while pinned (native frame)'");
                    }
                }
                default -> {
                    String reason = reason(s.kind(), r.sleepNanos());
                    if (g.blocks.size() != n || !g.blocks.stream().allMatch(b -> reason.equals(b.reason))) {
                        problems.add(where + ": blocks " + g.blocksByReason() + ", expected " + n + " x '" + reason + "'");
                        break;
                    }
                    for (int i = 0; i < n; i++) {
                        GoroutineFacts.Block b = g.blocks.get(i);
                        String bad = unblockerProblem(s, i, b, r.sleepNanos(), r.platformThreads(), path);
                        if (bad != null) {
                            problems.add(where + ": block " + i + " " + bad);
                        }
                    }
                }
            }
        }
        if (!problems.isEmpty()) {
            fail(problems.size() + " subjects differ from the expected trace:\n  " + String.join("\n  ", problems));
        }
    }

    /** Null if {@code by} is the expected unblocker of block {@code i} of {@code s}. */
    private static String unblockerProblem(KnownBlocksWorkload.Subject s, int i, GoroutineFacts.Block b, long sleepNanos,
                                           Map<Long, String> names, Path path) {
        long by = b.unblocker;
        String who = by == Long.MIN_VALUE ? "never unblocked" : by == GoroutineFacts.NONE ? "unblocked by the scheduler"
                : "unblocked by G" + by + (names.containsKey(by) ? " (" + names.get(by) + ")" : "");
        return switch (s.kind()) {
            case PARK, LOCK, TIMED_LOCK, QUEUE -> by == s.helper() ? null : who + ", expected the helper G" + s.helper();
            case JOIN -> by == s.releasers().get(i) ? null : who + ", expected the joined thread G" + s.releasers().get(i);
            case SLEEP -> path == Path.AGENT
                    ? (by == GoroutineFacts.NONE ? null : who + ", expected the scheduler's timer (no G)")
                    : named(by, names, "VirtualThread-unparker") || wokenWhileYielding(b, sleepNanos) ? null
                    : who + ", expected the JDK's VirtualThread-unparker";
            case MONITOR, WAIT, TIMED_WAIT -> named(by, names, "VirtualThread-unblocker") ? null
                    : who + ", expected the JDK's VirtualThread-unblocker";
            case SOCKET -> by != Long.MIN_VALUE && by != GoroutineFacts.NONE && by != s.subject() && by != s.helper()
                    ? null : who + ", expected the JDK's poller";
            default -> null;
        };
    }

    /**
     * A sleep whose timer fired while the thread was still yielding (a descheduled carrier on a
     * loaded machine): the unparker only set the permit, and the thread's own carrier resubmitted
     * it, telling the block and the unblock (no G) together (TracingScheduler.execute; FORMAT.md,
     * "Who unblocked a thread"). Such a block ends sooner than the sleep asked for, which a wake-up
     * by the timer itself never does: the block is told after the sleep began.
     */
    private static boolean wokenWhileYielding(GoroutineFacts.Block b, long sleepNanos) {
        return b.unblocker == GoroutineFacts.NONE && b.unblockTime - b.time < sleepNanos;
    }

    private static boolean named(long id, Map<Long, String> names, String name) {
        return name.equals(names.get(id));
    }

    static void assertClean(long inconsistent, long nested, long lost) {
        assertEquals(0, inconsistent, "inconsistent events");
        assertEquals(0, nested, "nested events");
        assertEquals(0, lost, "lost events");
    }
}

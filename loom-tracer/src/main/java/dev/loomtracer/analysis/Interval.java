package dev.loomtracer.analysis;

import dev.loomtracer.parse.ParsedStack;

/**
 * A maximal span of one thread's time with one state, carrier, task and region: the unit every
 * analysis sums. {@link ThreadModel} emits each interval once, when it ends.
 *
 * <p>Fields by state (else {@link #NONE}, "" or {@link ParsedStack#EMPTY}):
 * <ul>
 * <li>{@code carrier}: the carrier thread (Go M) for RUNNING and PINNED;</li>
 * <li>{@code reason}: BLOCKED: why (the block reason, e.g. {@code sync: park ReentrantLock$NonfairSync},
 *     {@code sleep}, {@code sync: monitor enter}); PINNED: why the carrier was pinned (the
 *     {@code loomtrace.pinned} log), "" if not told; RUNNABLE: how it became runnable: after a
 *     block ({@code unblocked} true), that block's reason; else {@code created}, {@code unpinned} or
 *     the stop reason ({@code yield}, ...);</li>
 * <li>{@code stack}: BLOCKED and PINNED: where it blocked; RUNNABLE: where it will resume (the
 *     stack of the block or stop before), when the trace has stacks;</li>
 * <li>{@code unblocker}: BLOCKED and ended by an unblock: the thread that unblocked it, or
 *     {@code null} when no thread did (a timer or the scheduler on a carrier); {@code unblocked}
 *     says whether the end was an unblock at all (for RUNNABLE: whether it began with the unblock
 *     of a block whose start is in the trace, so that the wait after it is that block's).</li>
 * </ul>
 * {@code task} is the task the thread worked for (the innermost region's task, else the innermost
 * task begun on this thread and not ended), {@link #NONE} if none; {@code region} the innermost
 * region's name, "" if none. {@code cutAtStart}: the interval began before the trace did (its state
 * came from a status event, or from a creation in that state: GoCreateBlocked, GoCreateSyscall),
 * so its true start is unknown; {@code cutAtEnd}: the trace ended while
 * it went on. Times are trace nanoseconds.
 *
 * <p>A state can span several intervals: a task or region change while the thread is in it splits
 * it (the thread's task or region changed, its state did not). {@code continues}: this interval is
 * such a piece and the same state goes on in the thread's next interval; {@code stateStart}: when
 * the thread entered the state this interval belongs to, {@link #NONE} if before the trace began.
 * What counts whole states (scheduler waits, blocks, pinned blocks) uses the interval that ends
 * the state ({@link #endsState()}) and {@link #stateDuration()}.
 *
 * <p>A listener that only sums intervals can take them as the model's reused {@link IntervalView}
 * instead ({@link ModelListener#interval(IntervalView)}), which allocates nothing per interval.
 */
public record Interval(ThreadInfo thread, ThreadState state, long start, long end, long carrier, String reason,
                       ParsedStack stack, boolean unblocked, ThreadInfo unblocker, long task, String taskType,
                       String region, boolean cutAtStart, boolean cutAtEnd, long stateStart, boolean continues)
        implements IntervalData {
    /** No carrier, no task. */
    public static final long NONE = -1;

    /** A copy of {@code i} (e.g. of the model's reused {@link IntervalView}) to keep. */
    public static Interval of(IntervalData i) {
        return i instanceof Interval r ? r : new Interval(i.thread(), i.state(), i.start(), i.end(), i.carrier(), i.reason(),
                i.stack(), i.unblocked(), i.unblocker(), i.task(), i.taskType(), i.region(), i.cutAtStart(), i.cutAtEnd(),
                i.stateStart(), i.continues());
    }
}

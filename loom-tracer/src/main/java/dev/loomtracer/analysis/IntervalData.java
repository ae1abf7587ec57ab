package dev.loomtracer.analysis;

import dev.loomtracer.parse.ParsedStack;

/**
 * What an interval says: its fields (documented on {@link Interval}) and what follows from them.
 * Two kinds: {@link Interval}, a value to keep, and {@link IntervalView}, the one object the model
 * reuses to tell each interval without allocating.
 *
 * <p>Invariant: the derived answers ({@link #duration()}, {@link #completeState()}, ...) have this
 * one home, so a record and a view of the same interval answer alike.
 */
public sealed interface IntervalData permits Interval, IntervalView {
    ThreadInfo thread();

    ThreadState state();

    long start();

    long end();

    long carrier();

    String reason();

    ParsedStack stack();

    boolean unblocked();

    ThreadInfo unblocker();

    long task();

    String taskType();

    String region();

    boolean cutAtStart();

    boolean cutAtEnd();

    long stateStart();

    boolean continues();

    /** {@code end - start}, nanoseconds. */
    default long duration() {
        return end() - start();
    }

    /** True if both ends are in the trace. */
    default boolean complete() {
        return !cutAtStart() && !cutAtEnd();
    }

    /** True if the thread's state ends with this interval (it is not a piece that {@link #continues()}). */
    default boolean endsState() {
        return !continues();
    }

    /**
     * True if this interval ends a state whose start and end are both in the trace (what blocking,
     * scheduler latency and pinning count).
     */
    default boolean completeState() {
        return !continues() && !cutAtEnd() && stateStart() != Interval.NONE;
    }

    /** {@code end - stateStart}: the whole state's length when {@link #completeState()}. */
    default long stateDuration() {
        return end() - stateStart();
    }
}

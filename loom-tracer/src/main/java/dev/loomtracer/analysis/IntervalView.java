package dev.loomtracer.analysis;

import dev.loomtracer.parse.ParsedStack;

/**
 * The interval that just ended, as {@link ThreadModel} tells it to
 * {@link ModelListener#interval(IntervalView)}: one object per model, refilled for every interval,
 * so that the analyses, which only sum intervals, allocate nothing per interval (an
 * {@link Interval} per state change was a quarter of the bytes {@code analyze} allocated:
 * docs/PERFORMANCE.md, "Analysis throughput"). Its fields mean what {@link Interval}'s do.
 *
 * <p>Invariant: read-only outside the model; valid only during the call that receives it (the
 * model refills it for the next interval): a listener that keeps an interval keeps
 * {@link #toInterval()}.
 */
public final class IntervalView implements IntervalData {
    ThreadInfo thread;
    ThreadState state;
    long start;
    long end;
    long carrier;
    String reason;
    ParsedStack stack;
    boolean unblocked;
    ThreadInfo unblocker;
    long task;
    String taskType;
    String region;
    boolean cutAtStart;
    boolean cutAtEnd;
    long stateStart;
    boolean continues;

    IntervalView() {}

    /** A view of {@code i}: for a listener told records that hands them on as views. */
    static IntervalView of(Interval i) {
        IntervalView v = new IntervalView();
        v.thread = i.thread();
        v.state = i.state();
        v.start = i.start();
        v.end = i.end();
        v.carrier = i.carrier();
        v.reason = i.reason();
        v.stack = i.stack();
        v.unblocked = i.unblocked();
        v.unblocker = i.unblocker();
        v.task = i.task();
        v.taskType = i.taskType();
        v.region = i.region();
        v.cutAtStart = i.cutAtStart();
        v.cutAtEnd = i.cutAtEnd();
        v.stateStart = i.stateStart();
        v.continues = i.continues();
        return v;
    }

    /** This interval as a value to keep. */
    public Interval toInterval() {
        return Interval.of(this);
    }

    @Override
    public ThreadInfo thread() {
        return thread;
    }

    @Override
    public ThreadState state() {
        return state;
    }

    @Override
    public long start() {
        return start;
    }

    @Override
    public long end() {
        return end;
    }

    @Override
    public long carrier() {
        return carrier;
    }

    @Override
    public String reason() {
        return reason;
    }

    @Override
    public ParsedStack stack() {
        return stack;
    }

    @Override
    public boolean unblocked() {
        return unblocked;
    }

    @Override
    public ThreadInfo unblocker() {
        return unblocker;
    }

    @Override
    public long task() {
        return task;
    }

    @Override
    public String taskType() {
        return taskType;
    }

    @Override
    public String region() {
        return region;
    }

    @Override
    public boolean cutAtStart() {
        return cutAtStart;
    }

    @Override
    public boolean cutAtEnd() {
        return cutAtEnd;
    }

    @Override
    public long stateStart() {
        return stateStart;
    }

    @Override
    public boolean continues() {
        return continues;
    }

    @Override
    public String toString() {
        return "IntervalView" + toInterval().toString().substring("Interval".length());
    }
}

package dev.loomtracer.analysis;

/**
 * Receives what {@link ThreadModel} derives from the ordered events.
 *
 * <p>Invariant: calls come in trace order of their end times; an interval is delivered once;
 * a task's intervals are delivered before its {@link #taskEnd}, except those of other threads
 * still in one of its regions when it ends.
 */
public interface ModelListener {
    /** A thread's interval ended. */
    void interval(Interval interval);

    /**
     * A thread's interval ended, told as the model's reused {@link IntervalView}: valid only during
     * this call (keep {@link IntervalView#toInterval()}). The model calls this one; by default it
     * makes the {@link Interval} and calls {@link #interval(Interval)}. A listener that only reads
     * each interval overrides it and allocates nothing per interval.
     */
    default void interval(IntervalView view) {
        interval(view.toInterval());
    }

    /** A task began ({@code parent} {@link Interval#NONE} if none) on {@code thread}. */
    default void taskBegin(long id, long parent, String type, long time, ThreadInfo thread) {}

    /** A task begun in the trace ended. */
    default void taskEnd(long id, long time) {}

    /** A thread ended (or the trace did, for threads still alive): after its last interval. */
    default void threadEnd(ThreadInfo thread) {}

    /** The number of runnable threads changed to {@code runnable} at {@code time}. */
    default void runnable(long time, int runnable) {}

    /** A virtual thread was mounted on {@code carrier} at {@code time}: its {@link Mount} begins. */
    default void mounted(ThreadInfo thread, long carrier, long time) {}

    /** A virtual thread's mount ended (it left the carrier, ended, or the trace did). */
    default void unmounted(Mount mount) {}

    /**
     * A region of {@code thread} ended: {@code ended} true at its end event, false when it was
     * still open as its thread ended or the trace did (then {@code end} is that moment). Regions
     * whose begin precedes the trace are not told.
     */
    default void regionEnd(ThreadInfo thread, long task, String name, long start, long end,
                           dev.loomtracer.parse.ParsedStack stack, boolean ended) {}
}

package dev.loomtracer.analysis;

/**
 * A virtual thread's stay on a carrier: from the moment it was mounted (started running, or met
 * running or pinned) to the moment it left the carrier; a pinned block inside keeps it mounted.
 * What a carrier was doing, seen from the carrier: {@link ThreadModel} emits each mount once,
 * when it ends. Platform threads, which run on themselves, have none.
 *
 * <p>{@code next} is the state the thread left the carrier for: {@link ThreadState#BLOCKED}
 * ({@code nextReason} the block's reason), {@link ThreadState#RUNNABLE} ({@code nextReason} the
 * stop reason, e.g. {@code yield}, or {@code unpinned} after a pinned block ended with the thread
 * unmounted); null if the thread ended on the carrier, or the trace did ({@code cutAtEnd}). Times
 * are trace nanoseconds; {@code end >= start}.
 */
public record Mount(ThreadInfo thread, long carrier, long start, long end, ThreadState next, String nextReason,
                    boolean cutAtEnd) {
    public long duration() {
        return end - start;
    }
}

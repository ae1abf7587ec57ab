package dev.loomtracer.analysis;

/**
 * A thread the trace names (a Go goroutine): a virtual thread, or a platform thread that emitted
 * events (the trace shows it running on itself: G id = M id).
 *
 * <p>Invariant: one instance per thread id while the thread lives in the trace; {@link #group()}
 * is fixed when the model first meets the thread; {@link #isVirtual()} turns false, never back,
 * once the thread is seen running on itself.
 */
public final class ThreadInfo {
    private final long id;
    private final String group;
    boolean platform;

    ThreadInfo(long id, String group) {
        this.id = id;
        this.group = group;
    }

    /** The thread's {@code threadId()}. */
    public long id() {
        return id;
    }

    /**
     * Its group for the thread-group analysis: its start location (the innermost frame of the stack
     * it was created with, when the trace has stacks), else "(start not recorded)"; platform threads
     * are grouped as "platform threads".
     */
    public String group() {
        return platform ? ThreadModel.PLATFORM_GROUP : group;
    }

    /** False for a platform thread (seen running on itself). */
    public boolean isVirtual() {
        return !platform;
    }

    @Override
    public String toString() {
        return (platform ? "platform thread " : "virtual thread ") + id;
    }
}

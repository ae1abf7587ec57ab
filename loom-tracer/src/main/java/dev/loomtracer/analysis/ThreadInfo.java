package dev.loomtracer.analysis;

/**
 * A thread the trace names (a Go goroutine): a virtual thread, or a platform thread that emitted
 * events (the trace shows it on the M of its own id: the parser's rule,
 * {@link dev.loomtracer.parse.TraceThreads#isPlatform}).
 *
 * <p>Invariant: one instance per thread id while the thread lives in the trace; {@link #isVirtual()}
 * turns false, never back, once the thread is seen running on itself; {@link #group()} never
 * changes once the model has delivered anything about the thread (its first interval or its end),
 * so every count and time of a thread lands in one group (a thread found to be a platform thread
 * only after that keeps the group it had).
 */
public final class ThreadInfo {
    private final long id;
    private String group;
    private boolean platform;
    private boolean groupFixed;
    /** The analyses' record of its blocks ({@link StackShares}), null before its first: kept here, not looked up per block. */
    StackShares.OfThread shares;

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
        return group;
    }

    /** Seen running on itself: a platform thread (its group too, unless {@link #fixGroup()} came first). */
    void markPlatform() {
        platform = true;
        if (!groupFixed) {
            group = ThreadModel.PLATFORM_GROUP;
        }
    }

    /** The model is about to deliver something about this thread: its group is final. */
    void fixGroup() {
        groupFixed = true;
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

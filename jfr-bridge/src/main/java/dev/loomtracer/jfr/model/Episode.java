package dev.loomtracer.jfr.model;

import dev.loomtracer.parse.ParsedStack;

/**
 * What the trace says happened, as intervals and instants with everything JFR needs: the trace's
 * state transitions paired up (mount with unmount, block with unblock, ...). Times are trace
 * nanoseconds ({@link dev.loomtracer.parse.TraceEvent#time()}); thread ids are Java thread ids
 * (a G is a virtual thread or a platform thread that emitted events, an M a carrier).
 *
 * <p>Invariant: {@code end >= start}; {@code complete} is false for an interval that was still
 * open when the trace (or the live stream) ended, whose end is then the last time seen; an id of
 * {@link #NONE} means unknown or none.
 */
public sealed interface Episode {
    long NONE = -1;

    /** Start time (trace ns). */
    long start();

    /** End time (trace ns); equals {@link #start()} for instants. */
    long end();

    default long duration() {
        return end() - start();
    }

    /**
     * A virtual thread mounted on a carrier: from mount (GoStart, or running when first seen) to
     * unmount (block, yield, exit). A pinned block inside keeps it mounted.
     *
     * @param endReason why it unmounted: "park: REASON", "yield: REASON", "exit", ...
     */
    record Run(long thread, long carrier, long proc, long start, long end, String endReason, boolean complete)
            implements Episode {}

    /**
     * A virtual thread unmounted and waiting (GoBlock to the GoUnblock that made it runnable).
     *
     * @param reason  the block reason as traced (e.g. "park java.util.concurrent.locks.ReentrantLock")
     * @param blocker what it waited on, when the reason names it, else ""
     * @param unparker the thread that made it runnable, {@link #NONE} if the scheduler or unknown
     * @param stack   where it blocked
     */
    record Park(long thread, long start, long end, String reason, String blocker, ParsedStack stack,
                long unparker, long unparkerCarrier, boolean complete) implements Episode {}

    /** {@code unparker} (running on {@code carrier}) made {@code target} runnable; {@code stack} is the unparker's. */
    record Unpark(long time, long target, long unparker, long carrier, ParsedStack stack) implements Episode {
        @Override
        public long start() {
            return time;
        }

        @Override
        public long end() {
            return time;
        }
    }

    /**
     * A virtual thread blocked while pinned to its carrier (GoSyscallBegin to GoSyscallEnd).
     *
     * @param reason why it was pinned, from the user log the capture layer writes just before, or ""
     */
    record Pinned(long thread, long carrier, long start, long end, String reason, ParsedStack stack, boolean complete)
            implements Episode {}

    /** A user task (UserTaskBegin to UserTaskEnd). {@code thread} began it. */
    record Task(long id, long parent, String name, long thread, long start, long end, ParsedStack stack, boolean complete)
            implements Episode {}

    /** A user region on one thread (UserRegionBegin to the matching UserRegionEnd). */
    record Region(long task, String name, long thread, long start, long end, ParsedStack stack, boolean complete)
            implements Episode {}

    /** A user log. */
    record Log(long time, long thread, long carrier, long task, String category, String message, ParsedStack stack)
            implements Episode {
        @Override
        public long start() {
            return time;
        }

        @Override
        public long end() {
            return time;
        }
    }

    /** A CPU profile sample of {@code thread} (running on {@code carrier}). */
    record CpuSample(long time, long thread, long carrier, ParsedStack stack) implements Episode {
        @Override
        public long start() {
            return time;
        }

        @Override
        public long end() {
            return time;
        }
    }

    /** A garbage collection as the trace records it (GCBegin to GCEnd). */
    record Gc(long seq, long start, long end, boolean complete) implements Episode {}

    /** A stop-the-world pause as the trace records it (STWBegin to STWEnd on {@code thread}). */
    record StopTheWorld(String kind, long thread, long start, long end, boolean complete) implements Episode {}
}

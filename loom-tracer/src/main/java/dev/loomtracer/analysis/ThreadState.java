package dev.loomtracer.analysis;

/**
 * What a thread is doing during an {@link Interval}, in Java's words; the Go states it comes from
 * are in parentheses (Go's {@code internal/trace} GoState).
 *
 * <p>Invariant: every moment of a thread's life in the trace is in exactly one of these states.
 */
public enum ThreadState {
    /** Mounted on a carrier and running (Go: Running). */
    RUNNING,
    /** Ready to run, waiting for a carrier (Go: Runnable): the scheduler latency. */
    RUNNABLE,
    /** Parked, sleeping, waiting for a lock, I/O or another thread, not holding a carrier (Go: Waiting). */
    BLOCKED,
    /** Blocked while pinned to its carrier, which it holds all the while (Go: Syscall, as Loom Tracer writes it). */
    PINNED
}

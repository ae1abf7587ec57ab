package dev.loomtracer.engine;

/**
 * The tracer's view of one P. There is one P per M (per carrier, per platform thread that
 * emits events), so a P is only ever changed by the thread of its M.
 *
 * <p>Invariant: {@code status} is the P's state as the trace has told it so far.
 */
final class ProcState extends SchedResource {
    final long id;
    /** Read racily by the advancer's status sweep; the status CAS makes a stale read harmless. */
    volatile int status;

    ProcState(long id, int status) {
        this.id = id;
        this.status = status;
    }
}

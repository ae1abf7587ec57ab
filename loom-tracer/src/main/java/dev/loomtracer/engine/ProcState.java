package dev.loomtracer.engine;

/**
 * The tracer's view of one P. There is one P per M (per carrier, per platform thread that
 * emits events), so a P is only ever changed by the thread of its M.
 *
 * <p>Invariant: {@code status} is the P's state as the trace has told it so far, or
 * {@link #UNTOLD} while the trace has never mentioned it: no status event is written for an
 * untold P, so a platform thread that never needs a P has none in the trace, and a carrier's P
 * enters the trace idle at the carrier's first event that needs it.
 */
final class ProcState extends SchedResource {
    /** Not a Go status: the P is not in the trace (yet). */
    static final int UNTOLD = -1;

    final long id;
    /** Read racily by the advancer's status sweep; the status CAS makes a stale read harmless. */
    volatile int status;

    ProcState(long id, int status) {
        this.id = id;
        this.status = status;
    }
}

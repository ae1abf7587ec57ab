package dev.loomtracer.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * tracestatus: per-generation bookkeeping of a G or a P (Go's {@code traceSchedResourceState}).
 *
 * <p>Invariant: in each generation exactly one party writes the resource's status event, the
 * one that wins {@link #acquireStatus}; it does so before the resource's first sequenced event
 * of that generation. Flags are kept for three generations (the current one, the next, and the
 * one being cleared); sequence numbers for two, and both are readied for generation g+1 by the
 * advancer before g+1 is published. The sequence counters need no atomics because the
 * resource's sequenced events are serialized: a P's by its own M, a G's by its claim
 * ({@link GState#claim}, which two writers told of the same transition can race for); the
 * flags do need them, because the advancer races with writers for them.
 */
abstract class SchedResource {
    private static final VarHandle TRACED = MethodHandles.arrayElementVarHandle(int[].class);

    private final int[] statusTraced = new int[3];
    private final long[] seq = new long[2];

    /** Claims the right to write this resource's status in {@code gen}; true for exactly one caller. */
    final boolean acquireStatus(long gen) {
        int i = (int) (gen % 3);
        return (int) TRACED.getVolatile(statusTraced, i) == 0 && TRACED.compareAndSet(statusTraced, i, 0, 1);
    }

    final boolean statusWasTraced(long gen) {
        return (int) TRACED.getVolatile(statusTraced, (int) (gen % 3)) != 0;
    }

    /** Marks the status as written in {@code gen} without a status event (a creation implies it). */
    final void setStatusTraced(long gen) {
        TRACED.setVolatile(statusTraced, (int) (gen % 3), 1);
    }

    /** Called by the advancer for every known resource before {@code gen + 1} is published. */
    final void readyNextGen(long gen) {
        long next = gen + 1;
        seq[(int) (next & 1)] = 0;
        TRACED.setVolatile(statusTraced, (int) (next % 3), 0);
    }

    /** The next sequence number of this resource in {@code gen}. */
    final long nextSeq(long gen) {
        return ++seq[(int) (gen & 1)];
    }
}

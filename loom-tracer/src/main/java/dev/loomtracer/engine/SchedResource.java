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
    // Fields, not arrays: every event of a G reads a flag and a counter, and two arrays would be
    // two more objects (cache lines) to touch per event.
    private static final VarHandle TRACED0;
    private static final VarHandle TRACED1;
    private static final VarHandle TRACED2;
    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            TRACED0 = l.findVarHandle(SchedResource.class, "traced0", int.class);
            TRACED1 = l.findVarHandle(SchedResource.class, "traced1", int.class);
            TRACED2 = l.findVarHandle(SchedResource.class, "traced2", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Status written in generations g with g % 3 == 0, 1, 2. Through TRACED0..2. */
    @SuppressWarnings("unused")
    private int traced0, traced1, traced2;
    private long seq0, seq1;

    // Each access names its VarHandle as a constant: a VarHandle picked at run time would not be
    // inlined by the JIT (a generic call per access).

    /** Claims the right to write this resource's status in {@code gen}; true for exactly one caller. */
    final boolean acquireStatus(long gen) {
        return switch ((int) (gen % 3)) {
            case 0 -> (int) TRACED0.getVolatile(this) == 0 && TRACED0.compareAndSet(this, 0, 1);
            case 1 -> (int) TRACED1.getVolatile(this) == 0 && TRACED1.compareAndSet(this, 0, 1);
            default -> (int) TRACED2.getVolatile(this) == 0 && TRACED2.compareAndSet(this, 0, 1);
        };
    }

    final boolean statusWasTraced(long gen) {
        return switch ((int) (gen % 3)) {
            case 0 -> (int) TRACED0.getVolatile(this) != 0;
            case 1 -> (int) TRACED1.getVolatile(this) != 0;
            default -> (int) TRACED2.getVolatile(this) != 0;
        };
    }

    /** Marks the status as written in {@code gen} without a status event (a creation implies it). */
    final void setStatusTraced(long gen) {
        setTraced(gen, 1);
    }

    /** Called by the advancer for every known resource before {@code gen + 1} is published. */
    final void readyNextGen(long gen) {
        long next = gen + 1;
        if ((next & 1) == 0) {
            seq0 = 0;
        } else {
            seq1 = 0;
        }
        setTraced(next, 0);
    }

    private void setTraced(long gen, int v) {
        switch ((int) (gen % 3)) {
            case 0 -> TRACED0.setVolatile(this, v);
            case 1 -> TRACED1.setVolatile(this, v);
            default -> TRACED2.setVolatile(this, v);
        }
    }

    /** The next sequence number of this resource in {@code gen}. */
    final long nextSeq(long gen) {
        return (gen & 1) == 0 ? ++seq0 : ++seq1;
    }
}

package dev.loomtracer.engine;

import dev.loomtracer.TraceOptions;

import java.util.List;

/**
 * Generation advance vs a writer in the middle of an event: the event lands whole in exactly
 * one generation, never split, never lost. The jcstress test {@code AdvanceVsWriterStress} (stress
 * module, docs/STRESS.md) runs {@link #write} and {@link #advance} as its two actors and reports
 * {@link #verdict}; this class is its reach into the engine's package-private classes.
 *
 * <p>The writer acquires the real {@link Tracer}, writes two user-log events (the first takes a
 * buffer and writes the M's statuses, the second is "the event in the middle"), records the buffer
 * and the position after each, and releases. The other runs a real {@link Advancer#advance} from
 * generation 1 to 2. The verdict looks where the events went:
 * <ul>
 *   <li>written in generation 1: the writer's buffer must be among generation 1's queued batches,
 *       and that batch, as finished by the advancer (its header's size), must end exactly after
 *       the second event: nothing of the event outside it, nothing written after it was finished;</li>
 *   <li>written in generation 2: the events stay in the M's generation-2 buffer and no
 *       generation-1 batch holds that buffer.</li>
 * </ul>
 */
public final class AdvanceVsWriterRace {
    public static final String G1 = "generation 1, whole";
    public static final String G2 = "generation 2, whole";

    final Tracer t = new Tracer();
    final TraceSession s = new TraceSession(t, TraceOptions.defaults());
    final Advancer.Steps steps;
    long wgen;
    MState m;
    TraceBuf b1;
    TraceBuf b2;
    int p2;
    String error;

    private AdvanceVsWriterRace(Advancer.Steps steps) {
        this.steps = steps;
        t.publishStart(s);
    }

    /** The real advance: it waits for the writer's sequence counter before taking its buffer. */
    public static AdvanceVsWriterRace real() {
        return new AdvanceVsWriterRace(Advancer.STEPS);
    }

    /** Broken control: the advancer does not wait for writers still in the old generation. */
    public static AdvanceVsWriterRace brokenNoWait() {
        return new AdvanceVsWriterRace(new NoWaitSteps());
    }

    public void write() {
        try {
            TraceWriter w = t.acquire();
            if (w == null) {
                error = "not acquired while tracing";
                return;
            }
            try {
                m = w.m();
                wgen = m.gen;
                int i = (int) (wgen & 1);
                Thread me = Thread.currentThread();
                w.userLog(me, 0, "stress", "first", null);
                b1 = m.bufs[i];
                w.userLog(me, 0, "stress", "second", null);
                b2 = m.bufs[i];
                p2 = b2 == null ? -1 : b2.pos;
            } finally {
                t.release(w);
            }
        } catch (Throwable e) {
            error = "exception " + e;
        }
    }

    public void advance() {
        try {
            Advancer.advance(t, false, steps);
        } catch (Throwable e) {
            error = "advancer exception " + e;
        }
    }

    public String verdict() {
        if (error != null) {
            return error;
        }
        if (t.generation() != 2) {
            return "generation not advanced";
        }
        List<TraceBuf> gen1 = Batches.drainFull(t, 1);
        for (TraceBuf b : gen1) {
            if (b.gen != 1) {
                return "a generation-" + b.gen + " batch queued as generation 1";
            }
        }
        if (wgen == 1) {
            if (b1 == null || b2 != b1) {
                return "generation 1, second event lost (written to a buffer the advancer never takes)";
            }
            if (!Batches.containsIdentity(gen1, b1)) {
                return "generation 1, lost (its buffer was never queued)";
            }
            Batches.Batch batch = Batches.decode(b1);
            if (batch.declaredSize() != p2 - TraceBuf.HEADER_RESERVE) {
                return "generation 1, split (batch finished at " + batch.declaredSize() + " bytes, event ends at "
                        + (p2 - TraceBuf.HEADER_RESERVE) + ")";
            }
            if (!batch.consistent()) {
                return "generation 1, written after its batch was finished";
            }
            if (m.bufs[1] != null) {
                return "generation 1 buffer left behind on the M";
            }
            return G1;
        }
        if (wgen == 2) {
            if (b1 == null || b2 != b1 || m.bufs[0] != b1) {
                return "generation 2, events not in the M's generation-2 buffer";
            }
            if (Batches.containsIdentity(gen1, b1)) {
                return "generation 2 buffer queued as generation 1";
            }
            return G2;
        }
        return "writer in generation " + wgen;
    }

    /** Broken: the advancer does not wait for writers still in the old generation. */
    private static final class NoWaitSteps extends Advancer.Steps {
        @Override
        void waitForWriters(List<MState> ms) {
            // BROKEN: takes the buffers while a writer may still be in the middle of an event.
        }
    }
}

package dev.loomtracer.engine;

import dev.loomtracer.TraceOptions;

import java.util.ArrayList;
import java.util.List;

/**
 * Start/stop racing with event emission: no event after the final generation, no exception. The
 * jcstress test {@code StartStopEmitStress} (stress module, docs/STRESS.md) runs {@link #startStop}
 * and {@link #emit} as its two actors and reports {@link #verdict}; this class is its reach into
 * the engine's package-private classes.
 *
 * <p>One actor starts a trace (the real {@link Tracer#publishStart}) and at once stops it (a real
 * stopping {@link Advancer#advance}: publish gen 0, wait for writers, queue the final generation,
 * mark the trace finished). The other emits events back to back through the real
 * {@code acquire / userLog / release} until the trace is finished, and twice more. Every event
 * that got a writer must be whole in the final generation's queued batches; nothing may remain
 * on the M afterwards, and no batch may have been written to after the advancer finished it.
 */
public final class StartStopEmitRace {
    public static final String NONE = "no event in the trace";
    public static final String ALL_FINAL = "events in the trace, all in the final generation";

    final Tracer t = new Tracer();
    final TraceSession s = new TraceSession(t, TraceOptions.defaults());
    final Advancer.Steps steps;
    final List<MState> ms = new ArrayList<>();
    final List<TraceBuf> bufs = new ArrayList<>();
    final List<Integer> ends = new ArrayList<>();
    String error;

    private StartStopEmitRace(Advancer.Steps steps) {
        this.steps = steps;
    }

    /** The real stop: gen 0 published first, so an acquirer that saw enabled re-checks it. */
    public static StartStopEmitRace real() {
        return new StartStopEmitRace(Advancer.STEPS);
    }

    /** Broken control: the stop clears only the enabled flag and leaves gen non-zero. */
    public static StartStopEmitRace brokenFlagOnlyStop() {
        return new StartStopEmitRace(new FlagOnlyStop());
    }

    public void startStop() {
        try {
            t.publishStart(s);
            Advancer.advance(t, true, steps);
        } catch (Throwable e) {
            error = "start/stop exception " + e;
        }
    }

    public void emit() {
        try {
            int after = 2;
            for (int k = 0; after > 0 && k < 10_000; k++) {
                if (t.finished) {
                    after--;
                }
                TraceWriter w = t.acquire();
                if (w == null) {
                    continue;
                }
                try {
                    MState m = w.m();
                    w.userLog(Thread.currentThread(), 0, "stress", "event", null);
                    TraceBuf b = m.bufs[(int) (m.gen & 1)];
                    ms.add(m);
                    bufs.add(b);
                    ends.add(b == null ? -1 : b.pos);
                    if (m.gen != 1) {
                        error = "writer in generation " + m.gen;
                    }
                } finally {
                    t.release(w);
                }
            }
        } catch (Throwable e) {
            error = "emitter exception " + e;
        }
    }

    public String verdict() {
        if (error != null) {
            return error;
        }
        if (!t.finished) {
            return "trace not finished";
        }
        List<TraceBuf> last = Batches.drainFull(t, 1);
        for (int k = 0; k < ms.size(); k++) {
            TraceBuf b = bufs.get(k);
            if (b == null || !Batches.containsIdentity(last, b)) {
                return "event after the final generation (its buffer was never queued)";
            }
            Batches.Batch batch = Batches.decode(b);
            if (!batch.consistent() || batch.declaredSize() < ends.get(k) - TraceBuf.HEADER_RESERVE) {
                return "event after the final generation (written into a finished batch)";
            }
            if (ms.get(k).bufs[0] != null || ms.get(k).bufs[1] != null) {
                return "event after the final generation (a buffer left on the M)";
            }
        }
        return ms.isEmpty() ? NONE : ALL_FINAL;
    }

    /** Broken: stop by clearing the enabled flag alone, treating the fast-path flag as the truth. */
    private static final class FlagOnlyStop extends Advancer.Steps {
        @Override
        void publishNext(Tracer t, long gen, boolean stop) {
            if (!stop) {
                super.publishNext(t, gen, false);
                return;
            }
            t.lock.lock();
            t.shutdown = true;
            t.lock.unlock();
            t.clearEnabled(); // BROKEN: gen stays non-zero, so an acquirer that saw enabled still gets a writer
        }
    }
}

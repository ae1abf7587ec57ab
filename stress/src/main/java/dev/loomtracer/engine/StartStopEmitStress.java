package dev.loomtracer.engine;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.L_Result;

import java.util.List;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Start/stop racing with event emission: no event after the final generation, no exception.
 *
 * <p>One actor starts a trace (the real {@link Tracer#publishStart}) and at once stops it (a real
 * stopping {@link Advancer#advance}: publish gen 0, wait for writers, queue the final generation,
 * mark the trace finished). The other emits two events, each through the real
 * {@code acquire / userLog / release}. Every event that got a writer must be whole in the final
 * generation's queued batches; nothing may remain on the M afterwards, and no batch may have been
 * written to after the advancer finished it.
 */
public class StartStopEmitStress {
    abstract static class Base {
        final Tracer t = new Tracer();
        final TraceSession s = new TraceSession(t, TraceConfig.DEFAULT);
        final Advancer.Steps steps;
        final MState[] ms = new MState[2];
        final TraceBuf[] bufs = new TraceBuf[2];
        final int[] ends = new int[2];
        String error;

        Base(Advancer.Steps steps) {
            this.steps = steps;
        }

        void startStop() {
            try {
                t.publishStart(s);
                Advancer.advance(t, true, steps);
            } catch (Throwable e) {
                error = "start/stop exception " + e;
            }
        }

        void emit() {
            try {
                for (int k = 0; k < 2; k++) {
                    TraceWriter w = t.acquire();
                    if (w == null) {
                        continue;
                    }
                    try {
                        MState m = w.m();
                        w.userLog(Thread.currentThread(), 0, "stress", "event " + k, null);
                        ms[k] = m;
                        TraceBuf b = m.bufs[(int) (m.gen & 1)];
                        bufs[k] = b;
                        ends[k] = b == null ? -1 : b.pos;
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

        void judge(L_Result r) {
            r.r1 = verdict();
        }

        private String verdict() {
            if (error != null) {
                return error;
            }
            if (!t.finished) {
                return "trace not finished";
            }
            List<TraceBuf> last = Batches.drainFull(t, 1);
            int emitted = 0;
            for (int k = 0; k < 2; k++) {
                if (ms[k] == null) {
                    continue;
                }
                emitted++;
                TraceBuf b = bufs[k];
                if (b == null || !Batches.containsIdentity(last, b)) {
                    return "event after the final generation (its buffer was never queued)";
                }
                Batches.Batch batch = Batches.decode(b);
                if (!batch.consistent() || batch.declaredSize() < ends[k] - TraceBuf.HEADER_RESERVE) {
                    return "event after the final generation (written into a finished batch)";
                }
                if (ms[k].bufs[0] != null || ms[k].bufs[1] != null) {
                    return "event after the final generation (a buffer left on the M)";
                }
            }
            return emitted + " events, all in the final generation";
        }
    }

    @JCStressTest
    @Description("Real start and stop against an emitter: every event lands in the final generation or is not written.")
    @Outcome(id = "0 events, all in the final generation", expect = ACCEPTABLE, desc = "Both emissions outside the trace.")
    @Outcome(id = "1 events, all in the final generation", expect = ACCEPTABLE, desc = "One emission inside the trace.")
    @Outcome(id = "2 events, all in the final generation", expect = ACCEPTABLE, desc = "Both emissions inside the trace.")
    @Outcome(expect = FORBIDDEN, desc = "An event after the final generation, or an exception.")
    @State
    public static class Real extends Base {
        public Real() {
            super(Advancer.STEPS);
        }

        @Actor
        public void startStop() {
            super.startStop();
        }

        @Actor
        public void emitter() {
            emit();
        }

        @Arbiter
        public void arbiter(L_Result r) {
            judge(r);
        }
    }

    /** Broken: stop by clearing the enabled flag alone, treating the fast-path flag as the truth. */
    static final class FlagOnlyStop extends Advancer.Steps {
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

    @JCStressTest
    @Description("Broken control: stop clears only the enabled flag; must show an event after the final generation.")
    @Outcome(id = "0 events, all in the final generation", expect = ACCEPTABLE, desc = "Both emissions outside the trace.")
    @Outcome(id = "1 events, all in the final generation", expect = ACCEPTABLE, desc = "One emission inside the trace.")
    @Outcome(id = "2 events, all in the final generation", expect = ACCEPTABLE, desc = "Both emissions inside the trace.")
    @Outcome(expect = FORBIDDEN, desc = "An event after the final generation, or an exception.")
    @State
    public static class BrokenFlagOnlyStop extends Base {
        public BrokenFlagOnlyStop() {
            super(new FlagOnlyStop());
        }

        @Actor
        public void startStop() {
            super.startStop();
        }

        @Actor
        public void emitter() {
            emit();
        }

        @Arbiter
        public void arbiter(L_Result r) {
            judge(r);
        }
    }
}

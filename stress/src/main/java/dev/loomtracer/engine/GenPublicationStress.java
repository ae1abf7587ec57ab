package dev.loomtracer.engine;

import dev.loomtracer.TraceOptions;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;
import org.openjdk.jcstress.infra.results.J_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Protocol 5 (Go CL 565935): a plain {@code enabled} flag is the fast path, the generation counter
 * is the truth.
 *
 * <p>{@link Start}: {@code enabled} becomes true strictly before {@code gen} becomes non-zero. One
 * actor publishes a session with the real {@link Tracer#publishStart} (what {@link Tracer#start}
 * runs); the other reads {@code gen}, then acquires the tracer with the real
 * {@link Tracer#acquire()}. Result (gen seen, generation the writer got, 0 for none). An acquirer
 * that has seen {@code gen != 0} must get a writer in that generation: (1, 0) would be an event
 * dropped while tracing is on.
 *
 * <p>{@link Stop}: {@code enabled} may be stale-true after stop, because acquire re-checks
 * {@code gen}. One actor runs the real stop publication ({@link Advancer#shutdown}: gen = 0, then
 * enabled = false); the other acquires. Result: the generation of the writer it got, -1 for none.
 * A writer in generation 0 (writing after stop) is forbidden.
 */
public class GenPublicationStress {
    static final TraceOptions CONFIG = TraceOptions.defaults();

    static long acquireGen(Tracer t) {
        TraceWriter w = t.acquire();
        if (w == null) {
            return 0;
        }
        long g = w.m().gen;
        t.release(w);
        return g;
    }

    @JCStressTest
    @Description("Real start publication: enabled before gen != 0.")
    @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "Acquired before the start: tracing off.")
    @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "Saw gen 0, then acquired after the start: writes into generation 1.")
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "Saw gen 1 and wrote into it.")
    @Outcome(id = "1, 0", expect = FORBIDDEN, desc = "Saw gen 1 but acquire said tracing is off: enabled published after gen.")
    @Outcome(expect = FORBIDDEN, desc = "Anything else.")
    @State
    public static class Start {
        final Tracer t = new Tracer();
        final TraceSession s = new TraceSession(t, CONFIG);

        @Actor
        public void starter() {
            t.publishStart(s);
        }

        @Actor
        public void acquirer(JJ_Result r) {
            r.r1 = t.generation();
            r.r2 = acquireGen(t);
        }
    }

    @JCStressTest
    @Description("Broken control: gen published before enabled; must show (1, 0).")
    @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "Acquired before the start: tracing off.")
    @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "Saw gen 0, then acquired after the start: writes into generation 1.")
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "Saw gen 1 and wrote into it.")
    @Outcome(id = "1, 0", expect = FORBIDDEN, desc = "Saw gen 1 but acquire said tracing is off: enabled published after gen.")
    @Outcome(expect = FORBIDDEN, desc = "Anything else.")
    @State
    public static class BrokenStartGenFirst {
        final Tracer t = new Tracer();
        final TraceSession s = new TraceSession(t, CONFIG);

        @Actor
        public void starter() {
            // BROKEN: the seed-004 order reversed.
            t.setGen(s.firstGen);
            Spin.widen(); // makes the race window wide enough for a short CI run to hit it
            t.session = s;
            t.setEnabled();
        }

        @Actor
        public void acquirer(JJ_Result r) {
            r.r1 = t.generation();
            r.r2 = acquireGen(t);
        }
    }

    @JCStressTest
    @Description("Real stop publication and acquire: a stale enabled flag never yields a writer after stop.")
    @Outcome(id = "1", expect = ACCEPTABLE, desc = "Acquired before the stop: writes into generation 1 (the advancer waits for it).")
    @Outcome(id = "-1", expect = ACCEPTABLE, desc = "Acquired after the stop, or saw stale enabled and re-checked gen: no writer.")
    @Outcome(id = "0", expect = FORBIDDEN, desc = "A writer in generation 0: writing after stop.")
    @Outcome(expect = FORBIDDEN, desc = "Anything else.")
    @State
    public static class Stop {
        final Tracer t = new Tracer();

        public Stop() {
            t.publishStart(new TraceSession(t, CONFIG));
        }

        @Actor
        public void stopper() {
            Advancer.shutdown(t);
        }

        @Actor
        public void acquirer(J_Result r) {
            TraceWriter w = t.acquire();
            if (w == null) {
                r.r1 = -1;
            } else {
                r.r1 = w.m().gen;
                t.release(w);
            }
        }
    }

    /** Broken: an acquire that trusts the enabled flag and does not re-check gen. */
    static TraceWriter acquireTrustingEnabled(Tracer t) {
        if (!t.enabled()) {
            return null;
        }
        TraceSession s = t.session;
        if (s == null) {
            return null;
        }
        MState m = s.newM(Thread.currentThread());
        m.beginWrite();
        m.gen = t.generation(); // BROKEN: no "gen == 0: tracing is off after all" re-check
        return m.writer;
    }

    @JCStressTest
    @Description("Broken control: acquire without the gen re-check; must show a writer in generation 0.")
    @Outcome(id = "1", expect = ACCEPTABLE, desc = "Acquired before the stop: writes into generation 1 (the advancer waits for it).")
    @Outcome(id = "-1", expect = ACCEPTABLE, desc = "Acquired after the stop, or saw stale enabled and re-checked gen: no writer.")
    @Outcome(id = "0", expect = FORBIDDEN, desc = "A writer in generation 0: writing after stop.")
    @Outcome(expect = FORBIDDEN, desc = "Anything else.")
    @State
    public static class BrokenStopNoRecheck {
        final Tracer t = new Tracer();

        public BrokenStopNoRecheck() {
            t.publishStart(new TraceSession(t, CONFIG));
        }

        @Actor
        public void stopper() {
            Advancer.shutdown(t);
        }

        @Actor
        public void acquirer(J_Result r) {
            TraceWriter w = acquireTrustingEnabled(t);
            if (w == null) {
                r.r1 = -1;
            } else {
                r.r1 = w.m().gen;
                w.m().endWrite();
            }
        }
    }
}

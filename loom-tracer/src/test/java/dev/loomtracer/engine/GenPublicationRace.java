package dev.loomtracer.engine;

import dev.loomtracer.TraceOptions;

/**
 * Protocol 5 (Go CL 565935): a plain {@code enabled} flag is the fast path, the generation counter
 * is the truth. The jcstress test {@code GenPublicationStress} (stress module, docs/STRESS.md) races
 * these steps; this class is its reach into the engine's package-private classes.
 *
 * <p>Start: {@code enabled} becomes true strictly before {@code gen} becomes non-zero. One actor
 * publishes a session with the real {@link Tracer#publishStart} ({@link #start}, what
 * {@link Tracer#start} runs); the other reads {@code gen}, then acquires the tracer with the real
 * {@link Tracer#acquire()} ({@link #acquireGen}). An acquirer that has seen {@code gen != 0} must
 * get a writer in that generation.
 *
 * <p>Stop: {@code enabled} may be stale-true after stop, because acquire re-checks {@code gen}.
 * One actor runs the real stop publication ({@link #stop}: {@link Advancer#shutdown}, gen = 0, then
 * enabled = false); the other acquires ({@link #acquireGenAfterStart}). A writer in generation 0
 * (writing after stop) is forbidden.
 */
public final class GenPublicationRace {
    static final TraceOptions CONFIG = TraceOptions.defaults();

    final Tracer t = new Tracer();
    final TraceSession s = new TraceSession(t, CONFIG);

    private GenPublicationRace() {}

    /** A tracer not started yet, for the start race. */
    public static GenPublicationRace beforeStart() {
        return new GenPublicationRace();
    }

    /** A started tracer (generation 1), for the stop race. */
    public static GenPublicationRace started() {
        GenPublicationRace r = new GenPublicationRace();
        r.t.publishStart(r.s);
        return r;
    }

    /** The real start publication. */
    public void start() {
        t.publishStart(s);
    }

    /** Broken control: gen published before enabled. */
    public void brokenStartGenFirst() {
        // BROKEN: the real order (Tracer.publishStart) reversed.
        t.setGen(s.firstGen);
        Spin.widen(); // makes the race window wide enough for a short CI run to hit it
        t.session = s;
        t.setEnabled();
    }

    /** The generation counter as an acquirer reads it. */
    public long generation() {
        return t.generation();
    }

    /** The generation of the writer a real acquire gets, 0 for none. */
    public long acquireGen() {
        TraceWriter w = t.acquire();
        if (w == null) {
            return 0;
        }
        long g = w.m().gen;
        t.release(w);
        return g;
    }

    /** The real stop publication. */
    public void stop() {
        Advancer.shutdown(t);
    }

    /** The generation of the writer a real acquire gets, -1 for none. */
    public long acquireGenAfterStart() {
        TraceWriter w = t.acquire();
        if (w == null) {
            return -1;
        }
        long g = w.m().gen;
        t.release(w);
        return g;
    }

    /** Broken control: an acquire that trusts the enabled flag and does not re-check gen; -1 for no writer. */
    public long brokenAcquireTrustingEnabled() {
        if (!t.enabled()) {
            return -1;
        }
        TraceSession session = t.session;
        if (session == null) {
            return -1;
        }
        MState m = session.newM(Thread.currentThread());
        m.beginWrite();
        m.gen = t.generation(); // BROKEN: no "gen == 0: tracing is off after all" re-check
        long g = m.gen;
        m.endWrite();
        return g;
    }
}

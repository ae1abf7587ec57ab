package dev.loomtracer.stress.engine;

import dev.loomtracer.engine.GenPublicationRace;
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
 * is the truth. {@link Start}: result (gen seen, generation the writer got, 0 for none); (1, 0)
 * would be an event dropped while tracing is on. {@link Stop}: the generation of the writer an
 * acquire racing the stop got, -1 for none; a writer in generation 0 is writing after stop. The
 * steps: {@link GenPublicationRace} (the engine's test-jar).
 */
public class GenPublicationStress {
    @JCStressTest
    @Description("Real start publication: enabled before gen != 0.")
    @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "Acquired before the start: tracing off.")
    @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "Saw gen 0, then acquired after the start: writes into generation 1.")
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "Saw gen 1 and wrote into it.")
    @Outcome(id = "1, 0", expect = FORBIDDEN, desc = "Saw gen 1 but acquire said tracing is off: enabled published after gen.")
    @Outcome(expect = FORBIDDEN, desc = "Anything else.")
    @State
    public static class Start {
        final GenPublicationRace race = GenPublicationRace.beforeStart();

        @Actor
        public void starter() {
            race.start();
        }

        @Actor
        public void acquirer(JJ_Result r) {
            r.r1 = race.generation();
            r.r2 = race.acquireGen();
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
        final GenPublicationRace race = GenPublicationRace.beforeStart();

        @Actor
        public void starter() {
            race.brokenStartGenFirst();
        }

        @Actor
        public void acquirer(JJ_Result r) {
            r.r1 = race.generation();
            r.r2 = race.acquireGen();
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
        final GenPublicationRace race = GenPublicationRace.started();

        @Actor
        public void stopper() {
            race.stop();
        }

        @Actor
        public void acquirer(J_Result r) {
            r.r1 = race.acquireGenAfterStart();
        }
    }

    @JCStressTest
    @Description("Broken control: acquire without the gen re-check; must show a writer in generation 0.")
    @Outcome(id = "1", expect = ACCEPTABLE, desc = "Acquired before the stop: writes into generation 1 (the advancer waits for it).")
    @Outcome(id = "-1", expect = ACCEPTABLE, desc = "Acquired after the stop, or saw stale enabled and re-checked gen: no writer.")
    @Outcome(id = "0", expect = FORBIDDEN, desc = "A writer in generation 0: writing after stop.")
    @Outcome(expect = FORBIDDEN, desc = "Anything else.")
    @State
    public static class BrokenStopNoRecheck {
        final GenPublicationRace race = GenPublicationRace.started();

        @Actor
        public void stopper() {
            race.stop();
        }

        @Actor
        public void acquirer(J_Result r) {
            r.r1 = race.brokenAcquireTrustingEnabled();
        }
    }
}

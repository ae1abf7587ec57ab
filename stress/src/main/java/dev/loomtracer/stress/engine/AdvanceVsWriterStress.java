package dev.loomtracer.stress.engine;

import dev.loomtracer.engine.AdvanceVsWriterRace;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.L_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Generation advance vs a writer in the middle of an event: the event lands whole in exactly
 * one generation, never split, never lost. A writer and a real advance from generation 1 to 2 race;
 * what each does and how the outcome is read: {@link AdvanceVsWriterRace} (the engine's test-jar).
 */
public class AdvanceVsWriterStress {
    @JCStressTest
    @Description("Real advance: waits for the writer's sequence counter before taking its buffer.")
    @Outcome(id = AdvanceVsWriterRace.G1, expect = ACCEPTABLE, desc = "The writer acquired generation 1; its event is whole in generation 1.")
    @Outcome(id = AdvanceVsWriterRace.G2, expect = ACCEPTABLE, desc = "The writer acquired generation 2; its event is whole in generation 2.")
    @Outcome(expect = FORBIDDEN, desc = "Split, lost, or in both generations.")
    @State
    public static class Real {
        final AdvanceVsWriterRace race = AdvanceVsWriterRace.real();

        @Actor
        public void writer() {
            race.write();
        }

        @Actor
        public void advancer() {
            race.advance();
        }

        @Arbiter
        public void arbiter(L_Result r) {
            r.r1 = race.verdict();
        }
    }

    @JCStressTest
    @Description("Broken control: the advancer does not wait for the writer's sequence counter; must split or lose the event.")
    @Outcome(id = AdvanceVsWriterRace.G1, expect = ACCEPTABLE, desc = "The writer acquired generation 1; its event is whole in generation 1.")
    @Outcome(id = AdvanceVsWriterRace.G2, expect = ACCEPTABLE, desc = "The writer acquired generation 2; its event is whole in generation 2.")
    @Outcome(expect = FORBIDDEN, desc = "Split, lost, or in both generations.")
    @State
    public static class BrokenNoWait {
        final AdvanceVsWriterRace race = AdvanceVsWriterRace.brokenNoWait();

        @Actor
        public void writer() {
            race.write();
        }

        @Actor
        public void advancer() {
            race.advance();
        }

        @Arbiter
        public void arbiter(L_Result r) {
            r.r1 = race.verdict();
        }
    }
}

package dev.loomtracer.stress.engine;

import dev.loomtracer.engine.StartStopEmitRace;
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
 * Start/stop racing with event emission: no event after the final generation, no exception. One
 * actor starts and at once stops a trace, the other emits back to back; what each does and how
 * the outcome is read: {@link StartStopEmitRace} (the engine's test-jar).
 */
public class StartStopEmitStress {
    @JCStressTest
    @Description("Real start and stop against an emitter: every event lands in the final generation or is not written.")
    @Outcome(id = StartStopEmitRace.NONE, expect = ACCEPTABLE, desc = "Every emission fell outside the trace.")
    @Outcome(id = StartStopEmitRace.ALL_FINAL, expect = ACCEPTABLE, desc = "Every event that got a writer is whole in the final generation.")
    @Outcome(expect = FORBIDDEN, desc = "An event after the final generation, or an exception.")
    @State
    public static class Real {
        final StartStopEmitRace race = StartStopEmitRace.real();

        @Actor
        public void startStop() {
            race.startStop();
        }

        @Actor
        public void emitter() {
            race.emit();
        }

        @Arbiter
        public void arbiter(L_Result r) {
            r.r1 = race.verdict();
        }
    }

    @JCStressTest
    @Description("Broken control: stop clears only the enabled flag; must show an event after the final generation.")
    @Outcome(id = StartStopEmitRace.NONE, expect = ACCEPTABLE, desc = "Every emission fell outside the trace.")
    @Outcome(id = StartStopEmitRace.ALL_FINAL, expect = ACCEPTABLE, desc = "Every event that got a writer is whole in the final generation.")
    @Outcome(expect = FORBIDDEN, desc = "An event after the final generation, or an exception.")
    @State
    public static class BrokenFlagOnlyStop {
        final StartStopEmitRace race = StartStopEmitRace.brokenFlagOnlyStop();

        @Actor
        public void startStop() {
            race.startStop();
        }

        @Actor
        public void emitter() {
            race.emit();
        }

        @Arbiter
        public void arbiter(L_Result r) {
            r.r1 = race.verdict();
        }
    }
}

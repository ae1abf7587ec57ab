package dev.loomtracer.stress.engine;

import dev.loomtracer.engine.TwoReadersRace;
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
 * Protocol 2 (Go CL 418955), two readers racing: exactly one gets the reader slot, the other gets the
 * documented error and tracing goes on. The readers and the watchdog that turns both readers in
 * the slot into an outcome: {@link TwoReadersRace} (the engine's test-jar).
 */
public class TwoReadersStress {
    @JCStressTest
    @Description("Real Tracer, TraceReader and ReaderSlot: exactly one of two racing readers gets the slot.")
    @Outcome(id = TwoReadersRace.A_WINS, expect = ACCEPTABLE, desc = "A got the slot, B got the documented error.")
    @Outcome(id = TwoReadersRace.B_WINS, expect = ACCEPTABLE, desc = "B got the slot, A got the documented error.")
    @Outcome(id = TwoReadersRace.BOTH_PARKED, expect = FORBIDDEN, desc = "Both readers think they hold the slot.")
    @Outcome(expect = FORBIDDEN, desc = "Anything else: both refused, a lost wake-up, an undocumented error.")
    @State
    public static class Real {
        final TwoReadersRace race = TwoReadersRace.real();

        @Actor
        public void readerA() {
            race.readerA();
        }

        @Actor
        public void readerB() {
            race.readerB();
        }

        @Arbiter
        public void arbiter(L_Result r) {
            r.r1 = race.verdict();
        }
    }

    @JCStressTest
    @Description("Broken control: the slot taken by check-then-set; must show both readers in the slot.")
    @Outcome(id = TwoReadersRace.A_WINS, expect = ACCEPTABLE, desc = "A got the slot, B got the documented error.")
    @Outcome(id = TwoReadersRace.B_WINS, expect = ACCEPTABLE, desc = "B got the slot, A got the documented error.")
    @Outcome(id = TwoReadersRace.BOTH_PARKED, expect = FORBIDDEN, desc = "Both readers think they hold the slot.")
    @Outcome(expect = FORBIDDEN, desc = "Anything else: both refused, a lost wake-up, an undocumented error.")
    @State
    public static class BrokenCheckThenSet {
        final TwoReadersRace race = TwoReadersRace.brokenCheckThenSet();

        @Actor
        public void readerA() {
            race.readerA();
        }

        @Actor
        public void readerB() {
            race.readerB();
        }

        @Arbiter
        public void arbiter(L_Result r) {
            r.r1 = race.verdict();
        }
    }
}

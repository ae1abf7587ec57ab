package dev.loomtracer.stress.engine;

import dev.loomtracer.engine.ReaderSlotWakeupRace;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.L_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Protocol 2 (Go CL 418955), the reader slot: a writer publishes data and wakes the reader while the
 * reader runs its park commit step. Never a lost wake-up (the reader parked with data published),
 * never a double one (woken by the writer and back on its own). The actors and the watchdog that
 * turns a lost wake-up into an outcome: {@link ReaderSlotWakeupRace} (the engine's test-jar).
 */
public class ReaderSlotWakeupStress {
    @JCStressTest
    @Description("Real ReaderSlot: no lost and no double wake-up.")
    @Outcome(id = ReaderSlotWakeupRace.ARRIVED, expect = ACCEPTABLE, desc = "Data was published before the reader's re-check; it took itself back.")
    @Outcome(id = ReaderSlotWakeupRace.WOKEN, expect = ACCEPTABLE, desc = "The writer took the reader out of the slot and unparked it.")
    @Outcome(id = ReaderSlotWakeupRace.SPURIOUS, expect = ACCEPTABLE_INTERESTING, desc = "Spurious unpark; the reader re-checks under the lock.")
    @Outcome(id = ReaderSlotWakeupRace.DOUBLE, expect = FORBIDDEN, desc = "Double wake-up: the writer's unpark leaks.")
    @Outcome(id = ReaderSlotWakeupRace.LOST, expect = FORBIDDEN, desc = "Lost wake-up.")
    @Outcome(expect = FORBIDDEN, desc = "Anything else.")
    @State
    public static class Real {
        final ReaderSlotWakeupRace race = ReaderSlotWakeupRace.real();

        @Actor
        public void reader() {
            race.read();
        }

        @Actor
        public void writer() {
            race.write();
        }

        @Arbiter
        public void arbiter(L_Result r) {
            r.r1 = race.verdict();
        }
    }

    @JCStressTest
    @Description("Broken control: park commit step without the re-check; must show the lost wake-up.")
    @Outcome(id = ReaderSlotWakeupRace.ARRIVED, expect = ACCEPTABLE, desc = "Data was published before the reader's re-check; it took itself back.")
    @Outcome(id = ReaderSlotWakeupRace.WOKEN, expect = ACCEPTABLE, desc = "The writer took the reader out of the slot and unparked it.")
    @Outcome(id = ReaderSlotWakeupRace.SPURIOUS, expect = ACCEPTABLE_INTERESTING, desc = "Spurious unpark; the reader re-checks under the lock.")
    @Outcome(id = ReaderSlotWakeupRace.DOUBLE, expect = FORBIDDEN, desc = "Double wake-up: the writer's unpark leaks.")
    @Outcome(id = ReaderSlotWakeupRace.LOST, expect = FORBIDDEN, desc = "Lost wake-up.")
    @Outcome(expect = FORBIDDEN, desc = "Anything else.")
    @State
    public static class BrokenNoRecheck {
        final ReaderSlotWakeupRace race = ReaderSlotWakeupRace.brokenNoRecheck();

        @Actor
        public void reader() {
            race.read();
        }

        @Actor
        public void writer() {
            race.write();
        }

        @Arbiter
        public void arbiter(L_Result r) {
            r.r1 = race.verdict();
        }
    }

    @JCStressTest
    @Description("Broken control: take-back with a plain store; must show the double wake-up.")
    @Outcome(id = ReaderSlotWakeupRace.ARRIVED, expect = ACCEPTABLE, desc = "Data was published before the reader's re-check; it took itself back.")
    @Outcome(id = ReaderSlotWakeupRace.WOKEN, expect = ACCEPTABLE, desc = "The writer took the reader out of the slot and unparked it.")
    @Outcome(id = ReaderSlotWakeupRace.SPURIOUS, expect = ACCEPTABLE_INTERESTING, desc = "Spurious unpark (here: the permit leaked by an earlier double wake-up).")
    @Outcome(id = ReaderSlotWakeupRace.DOUBLE, expect = FORBIDDEN, desc = "Double wake-up: the writer's unpark leaks.")
    @Outcome(id = ReaderSlotWakeupRace.LOST, expect = FORBIDDEN, desc = "Lost wake-up.")
    @Outcome(expect = FORBIDDEN, desc = "Anything else.")
    @State
    public static class BrokenPlainTakeBack {
        final ReaderSlotWakeupRace race = ReaderSlotWakeupRace.brokenPlainTakeBack();

        @Actor
        public void reader() {
            race.read();
        }

        @Actor
        public void writer() {
            race.write();
        }

        @Arbiter
        public void arbiter(L_Result r) {
            r.r1 = race.verdict();
        }
    }
}

package dev.loomtracer.stress.engine;

import dev.loomtracer.engine.TableInternRace;
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
 * String and stack tables: two writers interning the same string (or an equal stack) in one
 * generation get the same id, and the table's dump lists it exactly once, under that id. The
 * writers and the dump that judges them: {@link TableInternRace} (the engine's test-jar).
 */
public class TableInternStress {
    @JCStressTest
    @Description("Real StringTable: one id per string per generation, dumped once.")
    @Outcome(id = TableInternRace.OK, expect = ACCEPTABLE, desc = "Both writers got the id the dump lists.")
    @Outcome(expect = FORBIDDEN, desc = "Two ids for one string, or a dump that lists it twice or never.")
    @State
    public static class Strings {
        final TableInternRace race = TableInternRace.strings();

        @Actor
        public void writer1() {
            race.writer1();
        }

        @Actor
        public void writer2() {
            race.writer2();
        }

        @Arbiter
        public void arbiter(L_Result r) {
            r.r1 = race.verdict();
        }
    }

    @JCStressTest
    @Description("Broken control: get-then-put dedup; must show two ids for one string.")
    @Outcome(id = TableInternRace.OK, expect = ACCEPTABLE, desc = "Both writers got the id the dump lists.")
    @Outcome(expect = FORBIDDEN, desc = "Two ids for one string, or a dump that lists it twice or never.")
    @State
    public static class BrokenStrings {
        final TableInternRace race = TableInternRace.brokenStrings();

        @Actor
        public void writer1() {
            race.writer1();
        }

        @Actor
        public void writer2() {
            race.writer2();
        }

        @Arbiter
        public void arbiter(L_Result r) {
            r.r1 = race.verdict();
        }
    }

    @JCStressTest
    @Description("Real StackTable: one id per stack per generation, dumped once.")
    @Outcome(id = TableInternRace.OK, expect = ACCEPTABLE, desc = "Both writers got the id the dump lists.")
    @Outcome(expect = FORBIDDEN, desc = "Two ids for one stack, or a dump that lists it twice or never.")
    @State
    public static class Stacks {
        final TableInternRace race = TableInternRace.stacks();

        @Actor
        public void writer1() {
            race.writer1();
        }

        @Actor
        public void writer2() {
            race.writer2();
        }

        @Arbiter
        public void arbiter(L_Result r) {
            r.r1 = race.verdict();
        }
    }

    @JCStressTest
    @Description("Broken control: get-then-put dedup; must show two ids for one stack.")
    @Outcome(id = TableInternRace.OK, expect = ACCEPTABLE, desc = "Both writers got the id the dump lists.")
    @Outcome(expect = FORBIDDEN, desc = "Two ids for one stack, or a dump that lists it twice or never.")
    @State
    public static class BrokenStacks {
        final TableInternRace race = TableInternRace.brokenStacks();

        @Actor
        public void writer1() {
            race.writer1();
        }

        @Actor
        public void writer2() {
            race.writer2();
        }

        @Arbiter
        public void arbiter(L_Result r) {
            r.r1 = race.verdict();
        }
    }
}

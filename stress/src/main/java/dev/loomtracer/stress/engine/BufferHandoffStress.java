package dev.loomtracer.stress.engine;

import dev.loomtracer.engine.BufferHandoffRace;
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
 * Buffer hand-off: a buffer the reader holds is never handed to a writer while the reader's
 * caller still reads it. A reader and a writer that flushes a full buffer race; what each does and
 * how the outcome is read: {@link BufferHandoffRace} (the engine's test-jar).
 */
public class BufferHandoffStress {
    @JCStressTest
    @Description("Real TraceReader: the buffer handed out is released only on the next read.")
    @Outcome(id = BufferHandoffRace.INTACT_FRESH, expect = ACCEPTABLE, desc = "The writer got another buffer.")
    @Outcome(id = BufferHandoffRace.INTACT_REUSED, expect = ACCEPTABLE, desc = "The writer got the buffer after the reader was done with it.")
    @Outcome(id = BufferHandoffRace.CORRUPTED, expect = FORBIDDEN, desc = "A writer got the buffer while the reader's caller still read it.")
    @Outcome(expect = FORBIDDEN, desc = "Anything else.")
    @State
    public static class Real {
        final BufferHandoffRace race = BufferHandoffRace.real();

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
    @Description("Broken control: the reader returns the buffer to the pool as it hands it out; must show corruption.")
    @Outcome(id = BufferHandoffRace.INTACT_FRESH, expect = ACCEPTABLE, desc = "The writer got another buffer.")
    @Outcome(id = BufferHandoffRace.INTACT_REUSED, expect = ACCEPTABLE, desc = "The writer got the buffer after the reader was done with it.")
    @Outcome(id = BufferHandoffRace.CORRUPTED, expect = FORBIDDEN, desc = "A writer got the buffer while the reader's caller still read it.")
    @Outcome(expect = FORBIDDEN, desc = "Anything else.")
    @State
    public static class BrokenEarlyRelease {
        final BufferHandoffRace race = BufferHandoffRace.brokenEarlyRelease();

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

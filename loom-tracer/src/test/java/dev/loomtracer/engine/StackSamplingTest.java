package dev.loomtracer.engine;

import dev.loomtracer.TraceOptions.Stacks;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link StackSampling}: each mode's rates, and draws at those rates. */
class StackSamplingTest {
    @Test
    void ratesPerMode() {
        assertEquals(0, StackSampling.blockOneIn(Stacks.OFF));
        assertEquals(0, StackSampling.sideOneIn(Stacks.OFF));
        assertEquals(16, StackSampling.blockOneIn(Stacks.ON_BLOCK));
        assertEquals(64, StackSampling.sideOneIn(Stacks.ON_BLOCK));
        for (Stacks every : new Stacks[] {Stacks.EVERY_BLOCK, Stacks.ALL}) {
            assertEquals(1, StackSampling.blockOneIn(every), every.name());
            assertEquals(1, StackSampling.sideOneIn(every), every.name());
        }
    }

    @Test
    void drawsAtTheRate() {
        int n = 640_000;
        for (int oneIn : new int[] {16, 64}) {
            int taken = 0;
            for (int i = 0; i < n; i++) {
                if (StackSampling.takes(oneIn)) {
                    taken++;
                }
            }
            double expected = (double) n / oneIn;
            double sd = Math.sqrt(n * (1.0 / oneIn) * (1 - 1.0 / oneIn));
            // Six standard deviations: a correct draw fails this about once in 10^9 runs.
            assertTrue(Math.abs(taken - expected) < 6 * sd, "one in " + oneIn + ": " + taken + " of " + n);
        }
        for (int i = 0; i < 1000; i++) {
            assertTrue(StackSampling.takes(1));
            assertFalse(StackSampling.takes(0));
        }
        assertTrue(Stacks.EVERY_BLOCK.takesBlockStack());
        assertFalse(Stacks.OFF.takesBlockStack());
    }
}

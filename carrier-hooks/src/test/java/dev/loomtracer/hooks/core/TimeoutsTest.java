package dev.loomtracer.hooks.core;

import dev.loomtracer.format.BlockReasons;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The hooks' timed reasons: BlockReasons' form, the same string for a repeated duration, network untouched. */
class TimeoutsTest {
    @Test
    void aTimedReasonIsBlockReasonsForm() {
        String lock = Reasons.park(new java.util.concurrent.locks.ReentrantLock());
        assertEquals("sync: park ReentrantLock (timeout 2 ms)", Timeouts.of(lock, 2_000_000));
        assertEquals("sleep 1 ms", Timeouts.of(Reasons.SLEEP, 999_600), "rounded up as BlockReasons.timed rounds");
        assertEquals(BlockReasons.timed(Reasons.WAIT, 100_000_000), Timeouts.of(Reasons.WAIT, 100_000_000));
    }

    @Test
    void aReasonSeenBeforeIsTheSameString() {
        String first = Timeouts.of(Reasons.SLEEP, 7_000_000);
        assertSame(first, Timeouts.of(Reasons.SLEEP, 7_000_000), "cached: the hook allocates nothing for a repeated duration");
        assertSame(first, Timeouts.of(Reasons.SLEEP, 6_950_000), "the same after rounding");
    }

    @Test
    void untimedAndNetworkReasonsAreLeftAlone() {
        assertSame(Reasons.PARK, Timeouts.of(Reasons.PARK, 0));
        assertSame(Reasons.NETWORK, Timeouts.of(Reasons.NETWORK, 5_000_000), "-pprof=net matches the whole reason");
    }

    @Test
    void theReasonRuleAddsTheDurationOnlyForATimedWait() {
        assertEquals("sleep 5 ms", Reasons.block(VThreads.TIMED_PARKING, Reasons.SLEEP, null, null, 5_000_000));
        assertSame(Reasons.MONITOR, Reasons.block(VThreads.BLOCKING, null, null, null, 0));
        assertSame(Reasons.NETWORK, Reasons.block(VThreads.TIMED_PARKING, Reasons.NETWORK, null, null, 5_000_000));
    }
}

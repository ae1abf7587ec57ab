package dev.loomtracer.format;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The reason strings' rules (docs/FORMAT.md, "Block reasons and Go's profiles"): a timed wait
 * carries its requested duration, readable back, without changing the Go profile its reason is
 * counted in or the blocker it names.
 */
class BlockReasonsTest {
    private static final String LOCK = BlockReasons.parkOn("ReentrantLock$NonfairSync");

    @Test
    void aTimedWaitCarriesItsDuration() {
        assertEquals("sleep 5 ms", BlockReasons.timed(BlockReasons.SLEEP, 5_000_000));
        assertEquals("sync: park ReentrantLock$NonfairSync (timeout 2 ms)", BlockReasons.timed(LOCK, 2_000_000));
        assertEquals("sync: Object.wait (timeout 100 ms)", BlockReasons.timed(BlockReasons.WAIT, 100_000_000));
        assertEquals("sync: queue take (timeout 1.5 s)", BlockReasons.timed(BlockReasons.QUEUE_TAKE, 1_500_000_000L));
        assertEquals("park (timeout 250 µs)", BlockReasons.timed(BlockReasons.PARK, 250_000));
        assertEquals("sleep 40 ns", BlockReasons.timed(BlockReasons.SLEEP, 40));
    }

    @Test
    void networkAndUntimedWaitsStayAsTheyAre() {
        assertSame(BlockReasons.NETWORK, BlockReasons.timed(BlockReasons.NETWORK, 5_000_000), "-pprof=net matches the whole reason");
        assertSame(LOCK, BlockReasons.timed(LOCK, 0));
    }

    @Test
    void theDurationIsRoundedUpToTwoSignificantDigits() {
        assertEquals(1_000_000, BlockReasons.roundUp(999_600), "what is left of a 1 ms sleep whose first park returned at once");
        assertEquals(38_000_000, BlockReasons.roundUp(37_513_000));
        assertEquals(1_300_000, BlockReasons.roundUp(1_234_567));
        assertEquals(7, BlockReasons.roundUp(7));
        assertEquals("sleep 1 ms", BlockReasons.timed(BlockReasons.SLEEP, 999_600));
        assertEquals("sleep 470 ms", BlockReasons.timed(BlockReasons.SLEEP, 468_000_001));
        assertEquals(9_200_000_000_000_000_000L, BlockReasons.roundUp(Long.MAX_VALUE), "a park 'forever' does not overflow");
    }

    @Test
    void readersGetTheUntimedReasonTheDurationAndTheBlocker() {
        String timedLock = BlockReasons.timed(LOCK, 2_000_000);
        assertEquals(LOCK, BlockReasons.untimed(timedLock));
        assertEquals(2_000_000, BlockReasons.timeoutNanos(timedLock));
        assertEquals("ReentrantLock$NonfairSync", BlockReasons.blocker(timedLock));
        assertEquals(BlockReasons.SLEEP, BlockReasons.untimed("sleep 1.5 ms"));
        assertEquals(1_500_000, BlockReasons.timeoutNanos("sleep 1.5 ms"));
        assertEquals(250_000, BlockReasons.timeoutNanos("park (timeout 250 µs)"));
        assertEquals(0, BlockReasons.timeoutNanos(BlockReasons.SLEEP));
        assertEquals(0, BlockReasons.timeoutNanos(LOCK));
        assertEquals("sleep tight", BlockReasons.untimed("sleep tight"), "not a duration: the reason as it is");
        assertEquals("sync: park Foo (timeout soon)", BlockReasons.untimed("sync: park Foo (timeout soon)"));
        assertNull(BlockReasons.blocker(BlockReasons.timed(BlockReasons.SLEEP, 5_000_000)));
        for (long n : new long[] {1, 999, 1_000, 1_001, 12_345, 999_999, 5_000_000, 61_000_000_000L}) {
            String r = BlockReasons.timed(BlockReasons.WAIT, n);
            assertEquals(BlockReasons.roundUp(n), BlockReasons.timeoutNanos(r), r);
            assertEquals(BlockReasons.WAIT, BlockReasons.untimed(r), r);
        }
    }

    @Test
    void aDurationKeepsTheProfileOfItsReason() {
        // Go's cmd/trace/pprof.go: sync = contains "sync", "chan" or "select"; net = equals "network".
        assertEquals("sync", BlockReasons.goProfile(BlockReasons.timed(LOCK, 2_000_000)));
        assertEquals("sync", BlockReasons.goProfile(BlockReasons.timed(BlockReasons.WAIT, 100_000_000)));
        assertEquals("sync", BlockReasons.goProfile(BlockReasons.timed(BlockReasons.QUEUE_TAKE, 1_000_000)));
        assertNull(BlockReasons.goProfile(BlockReasons.timed(BlockReasons.SLEEP, 5_000_000)), "as Go's own sleep");
        assertNull(BlockReasons.goProfile(BlockReasons.timed(BlockReasons.PARK, 5_000_000)));
        assertEquals("net", BlockReasons.goProfile(BlockReasons.timed(BlockReasons.NETWORK, 5_000_000)));
    }
}

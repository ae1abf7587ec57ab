package dev.loomtracer.stress.engine;

import dev.loomtracer.engine.StressSeams;
import dev.loomtracer.hooks.TracingScheduler;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Protocol 1 (Go CL 418956): the trace lock is taken only on the "system stack". A virtual thread
 * that holds the real trace lock ({@code TraceLock}, here through {@link StressSeams.Lock}) is
 * pinned, so even if it blocks it keeps its carrier: on a one-carrier scheduler no other virtual thread runs while it holds the lock. The broken control,
 * a lock that does not pin, lets the carrier run another virtual thread while the lock is held:
 * the situation (tracing code holding its lock while the scheduler, which emits events, runs)
 * that creates the lock cycle the protocol exists to remove.
 *
 * <p>Not a jcstress test: jcstress actors are platform threads, and the property is about
 * virtual threads and their carrier. It is deterministic: with one carrier and no compensation,
 * nothing else can run while the carrier is blocked.
 */
class TraceLockPinningTest {
    /** Runs a holder that takes the lock and blocks for a while, and a spinner; true if the spinner ran while the lock was held. */
    private static boolean othersRanWhileHeld(Runnable lock, Runnable unlock) throws InterruptedException {
        AtomicBoolean holding = new AtomicBoolean();
        AtomicBoolean done = new AtomicBoolean();
        AtomicBoolean ranWhileHeld = new AtomicBoolean();
        try (TracingScheduler s = TracingScheduler.create(1)) {
            Thread holder = s.builder().unstarted(() -> {
                lock.run();
                holding.set(true);
                LockSupport.parkNanos(200_000_000L); // blocks while holding the lock
                holding.set(false);
                unlock.run();
                done.set(true);
            });
            Thread spinner = s.builder().unstarted(() -> {
                while (!done.get()) {
                    if (holding.get()) {
                        ranWhileHeld.set(true);
                    }
                    Thread.yield();
                }
            });
            holder.start();
            spinner.start();
            holder.join();
            spinner.join();
        }
        return ranWhileHeld.get();
    }

    @Test
    void aVirtualThreadHoldingTheTraceLockKeepsItsCarrier() throws InterruptedException {
        StressSeams.Lock l = new StressSeams.Lock();
        assertFalse(othersRanWhileHeld(l::lock, l::unlock),
                "another virtual thread ran on the only carrier while the trace lock was held");
        assertFalse(l.isHeld());
    }

    @Test
    void brokenControlALockThatDoesNotPinLetsTheCarrierRunOthers() throws InterruptedException {
        AtomicInteger state = new AtomicInteger(); // BROKEN: CAS lock without Continuation.pin()
        Runnable lock = () -> {
            while (!state.compareAndSet(0, 1)) {
                Thread.onSpinWait();
            }
        };
        Runnable unlock = () -> state.set(0);
        assertTrue(othersRanWhileHeld(lock, unlock),
                "the broken control must show the carrier running another virtual thread while the lock is held");
    }
}

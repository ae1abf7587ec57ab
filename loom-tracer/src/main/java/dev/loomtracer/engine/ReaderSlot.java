package dev.loomtracer.engine;

import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The reader slot (Go CL 418955): the trace reader parks through this atomic slot, never while
 * holding the trace lock.
 *
 * <p>Invariant: no lost wake-up and no double wake-up. The reader, after releasing the lock,
 * CASes the slot from null to itself (failure means a second reader: reported, never a crash),
 * then re-checks for data; if data arrived and it can take itself back out of the slot, it does
 * not park. A writer that published data takes the reader out with a CAS and unparks it, after
 * releasing the lock. Exactly one of the two CASes that empty the slot succeeds, so exactly one
 * party decides the reader's wake-up. The slot and the data flag are both volatile, so the
 * reader's "CAS then check data" and the writer's "publish data then check slot" cannot both
 * miss each other. Spurious unparks are harmless: the reader loops and re-checks.
 */
class ReaderSlot {
    /** Package-private only so that the stress module's broken controls can mutate {@link #park}. */
    final AtomicReference<Thread> slot = new AtomicReference<>();

    /** What {@link #park} found. */
    enum ParkResult {
        /** The reader parked and was woken (or woke spuriously): re-check under the lock. */
        WOKEN,
        /** Data arrived during the commit step; the reader took itself back and did not park. */
        DATA_ARRIVED,
        /** Another reader holds the slot. */
        RACING_READER,
    }

    /** True if a reader is parked (or committing to park) in the slot. */
    final boolean occupied() {
        return slot.get() != null;
    }

    /**
     * The reader's park with its commit step. Call without the trace lock.
     *
     * @param dataAvailable reads the published-data state without the lock
     */
    ParkResult park(BooleanSupplier dataAvailable) {
        Thread me = Thread.currentThread();
        if (!slot.compareAndSet(null, me)) {
            return ParkResult.RACING_READER;
        }
        if (dataAvailable.getAsBoolean()) {
            if (slot.compareAndSet(me, null)) {
                return ParkResult.DATA_ARRIVED;
            }
            // A writer already took us out of the slot and will unpark us (or has): park so that
            // its permit is consumed here and not by some later, unrelated park.
        }
        LockSupport.park(this);
        // Woken by a writer (which already emptied the slot) or spuriously: either way leave the
        // slot empty, so the next round starts clean.
        slot.compareAndSet(me, null);
        return ParkResult.WOKEN;
    }

    /**
     * The writer's side: after publishing data and releasing the lock, wakes the parked reader
     * if it can take it out of the slot. Returns the thread it woke, or null.
     */
    final Thread wake() {
        Thread r = slot.get();
        if (r != null && slot.compareAndSet(r, null)) {
            LockSupport.unpark(r);
            return r;
        }
        return null;
    }
}

package dev.loomtracer.engine;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Protocol 2 (Go CL 418955), the reader slot: a writer publishes data and wakes the reader while the
 * reader runs its park commit step ({@link ReaderSlot#park}: CAS into the slot, re-check for
 * data, take itself back if it can). The reader never stays parked with data published (no lost
 * wake-up), and is never both woken by the writer and back on its own (no double wake-up: the
 * writer's unpark would leak into a later, unrelated park). The jcstress test
 * {@code ReaderSlotWakeupStress} (stress module, docs/STRESS.md) runs {@link #read} and
 * {@link #write} as its two actors and reports {@link #verdict}; this class is its reach into the
 * engine's package-private classes.
 *
 * <p>The reader parks through the slot with the predicate {@link TraceReader} uses (a volatile
 * "data published" read); the writer publishes, then calls the real {@link ReaderSlot#wake()}. A
 * {@link Watchdog} rescues a reader that is parked on the slot after the writer has finished
 * without waking it: that reader would sleep forever.
 */
public final class ReaderSlotWakeupRace implements Watchdog.Watched {
    public static final String ARRIVED = "DATA_ARRIVED, writer woke nobody";
    public static final String WOKEN = "WOKEN, writer woke the reader";
    public static final String SPURIOUS = "WOKEN, writer woke nobody";
    public static final String DOUBLE = "DATA_ARRIVED, writer woke the reader";
    public static final String LOST = "LOST: parked with data published and nobody left to wake it";

    final ReaderSlot slot;
    volatile boolean data;
    volatile Thread reader;
    volatile Thread woke;
    volatile boolean writerDone;
    volatile boolean rescued;
    volatile boolean readerReturned;
    ReaderSlot.ParkResult result;

    private ReaderSlotWakeupRace(ReaderSlot slot) {
        this.slot = slot;
    }

    /** The real slot. */
    public static ReaderSlotWakeupRace real() {
        return new ReaderSlotWakeupRace(new ReaderSlot());
    }

    /** Broken control: the park commit step without the re-check (a lost wake-up). */
    public static ReaderSlotWakeupRace brokenNoRecheck() {
        return new ReaderSlotWakeupRace(new NoRecheckSlot());
    }

    /** Broken control: the take-back with a plain store (a double wake-up). */
    public static ReaderSlotWakeupRace brokenPlainTakeBack() {
        return new ReaderSlotWakeupRace(new PlainTakeBackSlot());
    }

    public void read() {
        reader = Thread.currentThread();
        Watchdog.watch(this);
        result = slot.park(() -> data);
        readerReturned = true;
    }

    public void write() {
        data = true;
        woke = slot.wake();
        writerDone = true;
        if (woke == null) {
            // The protocol is over for the writer. If the reader is now parked on the slot,
            // nobody will ever unpark it: rescue it here rather than wait for the watchdog.
            for (;;) {
                if (readerReturned) {
                    break;
                }
                if (stuck()) {
                    Watchdog.unwatch(this);
                    rescue();
                    break;
                }
                Thread.onSpinWait();
            }
        }
    }

    public String verdict() {
        Watchdog.unwatch(this);
        if (rescued) {
            return LOST;
        }
        return result + ", " + (woke == null ? "writer woke nobody" : "writer woke the reader");
    }

    @Override
    public boolean stuck() {
        Thread r = reader;
        return writerDone && woke != r && Watchdog.parkedOn(r, slot);
    }

    @Override
    public void rescue() {
        rescued = true;
        LockSupport.unpark(reader);
    }

    /** Broken: the reader commits to park without re-checking for data after entering the slot. */
    private static final class NoRecheckSlot extends ReaderSlot {
        @Override
        ParkResult park(BooleanSupplier dataAvailable) {
            Thread me = Thread.currentThread();
            if (!slot.compareAndSet(null, me)) {
                return ParkResult.RACING_READER;
            }
            // BROKEN: no re-check of dataAvailable here.
            LockSupport.park(this);
            slot.compareAndSet(me, null);
            return ParkResult.WOKEN;
        }
    }

    /** Broken: the reader takes itself back out of the slot with a plain store instead of a CAS. */
    private static final class PlainTakeBackSlot extends ReaderSlot {
        @Override
        ParkResult park(BooleanSupplier dataAvailable) {
            Thread me = Thread.currentThread();
            if (!slot.compareAndSet(null, me)) {
                return ParkResult.RACING_READER;
            }
            Spin.widen(); // makes the race window wide enough for a short CI run to hit it
            if (dataAvailable.getAsBoolean()) {
                slot.set(null); // BROKEN: does not notice that a writer already took it out
                return ParkResult.DATA_ARRIVED;
            }
            LockSupport.park(this);
            slot.compareAndSet(me, null);
            return ParkResult.WOKEN;
        }
    }
}

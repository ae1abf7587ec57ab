package dev.loomtracer.engine;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.L_Result;

import java.util.function.BooleanSupplier;
import java.util.concurrent.locks.LockSupport;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Protocol 2 (Go CL 418955), the reader slot: a writer publishes data and wakes the reader while the
 * reader runs its park commit step ({@link ReaderSlot#park}: CAS into the slot, re-check for
 * data, take itself back if it can). The reader never stays parked with data published (no lost
 * wake-up), and is never both woken by the writer and back on its own (no double wake-up: the
 * writer's unpark would leak into a later, unrelated park).
 *
 * <p>Actors: the reader parks through the slot with the predicate {@link TraceReader} uses (a
 * volatile "data published" read); the writer publishes, then calls the real
 * {@link ReaderSlot#wake()}. A {@link Watchdog} rescues a reader that is parked on the slot after
 * the writer has finished without waking it: that reader would sleep forever.
 */
public class ReaderSlotWakeupStress {
    static final String ARRIVED = "DATA_ARRIVED, writer woke nobody";
    static final String WOKEN = "WOKEN, writer woke the reader";
    static final String SPURIOUS = "WOKEN, writer woke nobody";
    static final String DOUBLE = "DATA_ARRIVED, writer woke the reader";
    static final String LOST = "LOST: parked with data published and nobody left to wake it";

    abstract static class Base implements Watchdog.Watched {
        final ReaderSlot slot;
        volatile boolean data;
        volatile Thread reader;
        volatile Thread woke;
        volatile boolean writerDone;
        volatile boolean rescued;
        volatile boolean readerReturned;
        ReaderSlot.ParkResult result;

        Base(ReaderSlot slot) {
            this.slot = slot;
        }

        void read() {
            reader = Thread.currentThread();
            Watchdog.watch(this);
            result = slot.park(() -> data);
            readerReturned = true;
        }

        void write() {
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

        void judge(L_Result r) {
            Watchdog.unwatch(this);
            if (rescued) {
                r.r1 = LOST;
            } else {
                r.r1 = result + ", " + (woke == null ? "writer woke nobody" : "writer woke the reader");
            }
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
    }

    @JCStressTest
    @Description("Real ReaderSlot: no lost and no double wake-up.")
    @Outcome(id = ARRIVED, expect = ACCEPTABLE, desc = "Data was published before the reader's re-check; it took itself back.")
    @Outcome(id = WOKEN, expect = ACCEPTABLE, desc = "The writer took the reader out of the slot and unparked it.")
    @Outcome(id = SPURIOUS, expect = ACCEPTABLE_INTERESTING, desc = "Spurious unpark; the reader re-checks under the lock.")
    @Outcome(id = DOUBLE, expect = FORBIDDEN, desc = "Double wake-up: the writer's unpark leaks.")
    @Outcome(id = LOST, expect = FORBIDDEN, desc = "Lost wake-up.")
    @Outcome(expect = FORBIDDEN, desc = "Anything else.")
    @State
    public static class Real extends Base {
        public Real() {
            super(new ReaderSlot());
        }

        @Actor
        public void reader() {
            read();
        }

        @Actor
        public void writer() {
            write();
        }

        @Arbiter
        public void arbiter(L_Result r) {
            judge(r);
        }
    }

    /** Broken: the reader commits to park without re-checking for data after entering the slot. */
    static final class NoRecheckSlot extends ReaderSlot {
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

    @JCStressTest
    @Description("Broken control: park commit step without the re-check; must show the lost wake-up.")
    @Outcome(id = ARRIVED, expect = ACCEPTABLE, desc = "Data was published before the reader's re-check; it took itself back.")
    @Outcome(id = WOKEN, expect = ACCEPTABLE, desc = "The writer took the reader out of the slot and unparked it.")
    @Outcome(id = SPURIOUS, expect = ACCEPTABLE_INTERESTING, desc = "Spurious unpark; the reader re-checks under the lock.")
    @Outcome(id = DOUBLE, expect = FORBIDDEN, desc = "Double wake-up: the writer's unpark leaks.")
    @Outcome(id = LOST, expect = FORBIDDEN, desc = "Lost wake-up.")
    @Outcome(expect = FORBIDDEN, desc = "Anything else.")
    @State
    public static class BrokenNoRecheck extends Base {
        public BrokenNoRecheck() {
            super(new NoRecheckSlot());
        }

        @Actor
        public void reader() {
            read();
        }

        @Actor
        public void writer() {
            write();
        }

        @Arbiter
        public void arbiter(L_Result r) {
            judge(r);
        }
    }

    /** Broken: the reader takes itself back out of the slot with a plain store instead of a CAS. */
    static final class PlainTakeBackSlot extends ReaderSlot {
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

    @JCStressTest
    @Description("Broken control: take-back with a plain store; must show the double wake-up.")
    @Outcome(id = ARRIVED, expect = ACCEPTABLE, desc = "Data was published before the reader's re-check; it took itself back.")
    @Outcome(id = WOKEN, expect = ACCEPTABLE, desc = "The writer took the reader out of the slot and unparked it.")
    @Outcome(id = SPURIOUS, expect = ACCEPTABLE_INTERESTING, desc = "Spurious unpark (here: the permit leaked by an earlier double wake-up).")
    @Outcome(id = DOUBLE, expect = FORBIDDEN, desc = "Double wake-up: the writer's unpark leaks.")
    @Outcome(id = LOST, expect = FORBIDDEN, desc = "Lost wake-up.")
    @Outcome(expect = FORBIDDEN, desc = "Anything else.")
    @State
    public static class BrokenPlainTakeBack extends Base {
        public BrokenPlainTakeBack() {
            super(new PlainTakeBackSlot());
        }

        @Actor
        public void reader() {
            read();
        }

        @Actor
        public void writer() {
            write();
        }

        @Arbiter
        public void arbiter(L_Result r) {
            judge(r);
        }
    }
}

package dev.loomtracer.engine;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Protocol 2 (Go CL 418955), two readers racing: exactly one gets the reader slot, the other gets the
 * documented error ({@link IllegalStateException} "... a trace has exactly one reader") and
 * tracing goes on. The jcstress test {@code TwoReadersStress} (stress module, docs/STRESS.md) runs
 * {@link #readerA} and {@link #readerB} as its two actors and reports {@link #verdict}; this class
 * is its reach into the engine's package-private classes.
 *
 * <p>Two {@link TraceReader}s of one real {@link Tracer} read a trace with no data yet, so a
 * reader that gets the slot parks. Separate reader objects bypass {@code TraceReader}'s own
 * one-caller guard, so what is tested is the second line: the occupancy check under the trace
 * lock and the slot's CAS. The reader that gets the error then acts as the writer: it ends the
 * trace (finished, under the lock) and wakes the slot, so the winner returns the end of the
 * trace. In the real protocol the only outcomes are "END, ISE" and "ISE, END". Both readers
 * parked on the slot at once (both "got" it) is the forbidden outcome; a {@link Watchdog}
 * detects it, ends the trace and unparks both.
 */
public final class TwoReadersRace implements Watchdog.Watched {
    public static final String A_WINS = "END, ISE";
    public static final String B_WINS = "ISE, END";
    public static final String BOTH_PARKED = "BOTH READERS PARKED IN THE SLOT";
    static final String LOST = "LOST: the winner stayed parked after the trace ended";

    final Tracer t;
    final TraceReader ra;
    final TraceReader rb;
    volatile Thread ta;
    volatile Thread tb;
    volatile boolean ended;
    volatile Thread woke;
    volatile boolean aDone;
    volatile boolean bDone;
    volatile String rescued;
    String outA;
    String outB;

    private TwoReadersRace(ReaderSlot slot) {
        t = new Tracer(slot);
        t.headerWritten = true;
        t.readerGen = 1;
        t.flushedGen = 0;
        ra = t.reader;
        rb = new TraceReader(t);
    }

    private String read(TraceReader r) {
        Watchdog.watch(this);
        try {
            return r.readChunk() == null ? "END" : "CHUNK";
        } catch (IllegalStateException e) {
            if (!e.getMessage().contains("exactly one reader")) {
                return "UNDOCUMENTED ISE " + e.getMessage();
            }
            endTrace();
            return "ISE";
        } catch (Throwable e) {
            return "EXCEPTION " + e;
        }
    }

    private void endTrace() {
        t.lock.lock();
        t.finished = true;
        t.lock.unlock();
        woke = t.readerSlot.wake();
        ended = true;
    }

    public String verdict() {
        Watchdog.unwatch(this);
        String x = rescued;
        return x != null ? x : outA + ", " + outB;
    }

    @Override
    public boolean stuck() {
        Thread a = ta;
        Thread b = tb;
        boolean pa = Watchdog.parkedOn(a, t.readerSlot);
        boolean pb = Watchdog.parkedOn(b, t.readerSlot);
        if (pa && pb) {
            return true;
        }
        // The trace has ended and the wake went elsewhere: a reader still parked stays parked.
        return ended && ((pa && woke != a) || (pb && woke != b));
    }

    @Override
    public void rescue() {
        boolean both = Watchdog.parkedOn(ta, t.readerSlot) && Watchdog.parkedOn(tb, t.readerSlot);
        rescued = both ? BOTH_PARKED : LOST;
        t.lock.lock();
        t.finished = true;
        t.lock.unlock();
        LockSupport.unpark(ta);
        LockSupport.unpark(tb);
    }

    /** The real slot. */
    public static TwoReadersRace real() {
        return new TwoReadersRace(new ReaderSlot());
    }

    /** Broken control: the slot taken by check-then-set. */
    public static TwoReadersRace brokenCheckThenSet() {
        return new TwoReadersRace(new CheckThenSetSlot());
    }

    public void readerA() {
        ta = Thread.currentThread();
        outA = read(ra);
    }

    public void readerB() {
        tb = Thread.currentThread();
        outB = read(rb);
    }

    /** Broken: the slot is taken by check-then-set instead of one CAS. */
    private static final class CheckThenSetSlot extends ReaderSlot {
        @Override
        ParkResult park(BooleanSupplier dataAvailable) {
            Thread me = Thread.currentThread();
            if (slot.get() != null) {
                return ParkResult.RACING_READER;
            }
            Spin.widen(); // makes the race window wide enough for a short CI run to hit it
            slot.set(me); // BROKEN: two readers can both pass the check
            if (dataAvailable.getAsBoolean() && slot.compareAndSet(me, null)) {
                return ParkResult.DATA_ARRIVED;
            }
            LockSupport.park(this);
            slot.compareAndSet(me, null);
            return ParkResult.WOKEN;
        }
    }
}

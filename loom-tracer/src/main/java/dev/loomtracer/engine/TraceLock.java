package dev.loomtracer.engine;

import jdk.internal.vm.Continuation;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * The trace lock (Go CLs 418956 and 496296).
 *
 * <p>Invariant: it is acquired only with the current continuation pinned, so a virtual thread
 * that holds it cannot unmount, and code that holds it never parks a virtual thread, does I/O or
 * waits for anything that can need the tracer. Because the scheduler hooks emit events, this is
 * what keeps tracing and scheduling free of a lock cycle. It is not reentrant and tracks no
 * owner (but in the tests' checking mode): reentry is a bug, not a case to support; the tests
 * run with {@link TraceLockCheck} on, which catches it (and work that must stay outside the lock) instead of hanging. A waiter
 * spins, then sleeps in short timed parks; pinned, such a park blocks the carrier, the way a Go
 * runtime mutex blocks the M.
 */
class TraceLock {
    private static final VarHandle STATE;
    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(TraceLock.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile int state;
    // Written only by the holder, and only when TraceLockCheck.ON: the current hold, for the checks.
    Thread holder;
    long holdStart;
    int holdWork;

    /** Pins the current continuation, then takes the lock. */
    final void lock() {
        if (TraceLockCheck.ON) {
            TraceLockCheck.entering(this); // before the pin: a reentry throws instead of spinning forever
        }
        Continuation.pin();
        if (!STATE.compareAndSet(this, 0, 1)) {
            contended();
        }
        if (TraceLockCheck.ON) {
            TraceLockCheck.acquired(this);
        }
    }

    /** Releases the lock, then unpins. */
    final void unlock() {
        if (TraceLockCheck.ON) {
            TraceLockCheck.releasing(this);
        }
        STATE.setRelease(this, 0);
        Continuation.unpin();
    }

    /** For assertions and tests only: whether some thread holds the lock now. */
    final boolean isHeld() {
        return state != 0;
    }

    private void contended() {
        int spins = 0;
        while (state != 0 || !STATE.compareAndSet(this, 0, 1)) {
            if (++spins < 256) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, 10_000);
            }
        }
    }
}

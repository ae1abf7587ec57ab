package dev.loomtracer.hooks;

import java.util.concurrent.locks.LockSupport;

/**
 * Parks in its initializer: a virtual thread that initializes it is pinned (a native frame is on
 * its stack) while parked. The workload loads a fresh copy per run ({@link PinnerState#freshPinner()}),
 * because a class is initialized once per loader; nothing may touch this class itself (that
 * would run the initializer).
 */
public final class Pinner {
    public static final int PARKS = 3;

    static {
        for (int i = 0; i < PARKS; i++) {
            PinnerState.PARKS.incrementAndGet();
            LockSupport.park();
        }
    }

    private Pinner() {}
}

package dev.loomtracer.engine;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Rescues jcstress actors that a protocol left parked forever, so that a lost wake-up becomes a
 * counted outcome instead of a hung test run.
 *
 * <p>A test registers a {@link Watched} while an actor may park; this daemon thread polls every
 * registered one and rescues it once {@link Watched#stuck()} holds. Each test defines "stuck" so
 * that it is <em>definitive</em>, not a timeout: typically "the actor is parked on the protocol's
 * blocker and the only party that could ever unpark it has finished without doing so". The
 * watchdog never decides an outcome by elapsed time, so a slow machine cannot produce a false
 * forbidden outcome; it only makes the real protocol's failure observable.
 */
final class Watchdog {
    private Watchdog() {}

    interface Watched {
        /** True only if no party of the protocol will ever unpark the parked actor(s). */
        boolean stuck();

        /** Records the rescue (the test's outcome becomes forbidden) and unparks the actor(s). */
        void rescue();
    }

    private static final Set<Watched> WATCHED = ConcurrentHashMap.newKeySet();

    static {
        Thread t = new Thread(Watchdog::loop, "loomtrace-stress-watchdog");
        t.setDaemon(true);
        t.start();
    }

    static void watch(Watched w) {
        WATCHED.add(w);
    }

    static void unwatch(Watched w) {
        WATCHED.remove(w);
    }

    /** True if {@code t} is inside {@code LockSupport.park(blocker)} right now. */
    static boolean parkedOn(Thread t, Object blocker) {
        return t != null && t.getState() == Thread.State.WAITING && LockSupport.getBlocker(t) == blocker;
    }

    private static void loop() {
        for (;;) {
            for (Watched w : WATCHED) {
                if (w.stuck() && WATCHED.remove(w)) {
                    w.rescue();
                }
            }
            LockSupport.parkNanos(200_000);
        }
    }
}

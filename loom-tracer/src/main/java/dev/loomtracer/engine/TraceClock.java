package dev.loomtracer.engine;

/**
 * tracetime: the trace's clock.
 *
 * <p>Invariant: {@link #now()} is monotonic on each thread and never negative for the life of
 * the JVM, and {@link #ticksPerSecond()} is one value for the life of the JVM: every generation's
 * frequency event says the same, so generations line up. The source is the CPU's time-stamp
 * counter where the OS trusts it ({@link TscCounter}), read at about half the cost of
 * {@code System.nanoTime()}, else {@code System.nanoTime()}. Either way a tick is the source's
 * unit times 64, as in Go's tracer ({@code traceTimeDiv}): the resolution is ample for
 * scheduling and it keeps most timestamp deltas to one byte. Callers read it once per event.
 */
final class TraceClock {
    private TraceClock() {}

    static final int SHIFT = 6;
    /** Whether ticks come from the time-stamp counter; folded by the JIT. */
    static final boolean TSC = TscCounter.AVAILABLE;

    /** The shortest calibration of the counter against nanoTime, as Go's ticksPerSecond waits for. */
    private static final long MIN_CALIBRATION_NANOS = 5_000_000;

    // Sources may read negative; anchor them well below the first reading so ticks stay positive.
    private static final long BASE_NANOS = System.nanoTime();
    private static final long BASE = (TSC ? TscCounter.read() : BASE_NANOS) - (1L << 32);
    private static volatile long ticksPerSecond;

    static long now() {
        return ((TSC ? TscCounter.read() : System.nanoTime()) - BASE) >>> SHIFT;
    }

    /** Ticks in a second: exact for nanoTime, calibrated once for the counter (waits up to 5 ms the first time). */
    static long ticksPerSecond() {
        long f = ticksPerSecond;
        if (f == 0) {
            f = TSC ? calibrate() : 1_000_000_000L >> SHIFT;
            ticksPerSecond = f;
        }
        return f;
    }

    /** What the clock reads, for diagnostics. */
    static String source() {
        return TSC ? "time-stamp counter" : "System.nanoTime (" + TscCounter.UNAVAILABLE_REASON + ")";
    }

    private static synchronized long calibrate() {
        if (ticksPerSecond != 0) {
            return ticksPerSecond;
        }
        for (;;) {
            // The counter's reading is bracketed by two nanoTime reads; the bracket's midpoint is
            // its time, within half the bracket, which a preemption between the reads would widen.
            long n0 = System.nanoTime();
            long c = TscCounter.read();
            long n1 = System.nanoTime();
            long elapsed = (n0 + n1) / 2 - BASE_NANOS;
            if (elapsed < MIN_CALIBRATION_NANOS || n1 - n0 > 20_000) {
                Thread.onSpinWait();
                if (elapsed < MIN_CALIBRATION_NANOS) {
                    sleepNanos(MIN_CALIBRATION_NANOS - elapsed);
                }
                continue;
            }
            long counts = c - (BASE + (1L << 32));
            return Math.round(counts * (1e9 / elapsed)) >> SHIFT;
        }
    }

    private static void sleepNanos(long nanos) {
        java.util.concurrent.locks.LockSupport.parkNanos(nanos);
    }
}

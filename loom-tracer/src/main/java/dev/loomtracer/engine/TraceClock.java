package dev.loomtracer.engine;

/**
 * tracetime: the trace's clock.
 *
 * <p>Invariant: {@link #now()} is monotonic and never negative for the life of the JVM, and
 * {@link #TICKS_PER_SECOND} ticks make exactly one second. Ticks are 64 ns, as in Go's tracer
 * ({@code traceTimeDiv}): the resolution is ample for scheduling and it keeps most timestamp
 * deltas to one byte. One read costs one {@code System.nanoTime()}; callers read it once per event.
 */
final class TraceClock {
    private TraceClock() {}

    static final int SHIFT = 6;
    static final long TICKS_PER_SECOND = 1_000_000_000L >> SHIFT;

    // nanoTime may be negative; anchor it well below the first reading so ticks stay positive.
    private static final long BASE = System.nanoTime() - (1L << 32);

    static long now() {
        return ticksAt(System.nanoTime());
    }

    /** The trace time, in ticks, of a {@code System.nanoTime()} reading. */
    static long ticksAt(long nanoTime) {
        return (nanoTime - BASE) >>> SHIFT;
    }

    static long toNanos(long ticks) {
        return ticks << SHIFT;
    }
}

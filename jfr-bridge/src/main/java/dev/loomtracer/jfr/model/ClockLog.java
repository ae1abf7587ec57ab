package dev.loomtracer.jfr.model;

import dev.loomtracer.format.ClockAnchor;

/**
 * A clock anchor in a trace ({@link ClockAnchor}): a user log in category {@link #CATEGORY}
 * whose message holds {@code System.nanoTime()} and the wall clock (nanoseconds since the epoch)
 * read together, and the trace time of that instant: given in the message (the engine's anchor,
 * one per generation) or, without it, the log's own time (JfrImport writes its log just
 * after reading both clocks). So the log ties trace time to both clocks.
 *
 * <p>Invariant: {@link #of} accepts exactly what {@link #message} and the engine produce; a clock
 * log it cannot read is a {@link Malformed} naming its time and the bad value, never a stray
 * parse exception.
 */
public record ClockLog(long traceNanos, long nanoTime, long epochNanos) {
    /** A log in the clock category whose numbers are not 64-bit integers. */
    public static final class Malformed extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message);
        }
    }

    public static final String CATEGORY = ClockAnchor.CATEGORY;

    /** The message of an anchor whose trace time is the log's own. */
    public static String message(long nanoTime, long epochNanos) {
        return ClockAnchor.message(nanoTime, epochNanos, -1);
    }

    /** The anchor in a log episode, or null if it is not a clock log; {@link Malformed} if it is one that cannot be read. */
    public static ClockLog of(Episode.Log log) {
        if (!CATEGORY.equals(log.category()) || log.message() == null) {
            return null;
        }
        long[] a;
        try {
            a = ClockAnchor.parse(log.message());
        } catch (NumberFormatException e) {
            throw new Malformed("the clock log (category " + CATEGORY + ") at trace time " + log.time() + " ns holds a number"
                    + " out of the 64-bit range: " + log.message());
        }
        if (a == null) {
            return null;
        }
        return new ClockLog(a[2] >= 0 ? a[2] : log.time(), a[0], a[1]);
    }

    /** Wall clock (epoch ns) at trace time 0, by this anchor. */
    public long epochNanosAtTraceZero() {
        return epochNanos - traceNanos;
    }

    /** {@code System.nanoTime()} at trace time 0, by this anchor (the trace clock's base). */
    public long nanoTimeAtTraceZero() {
        return nanoTime - traceNanos;
    }
}

package dev.loomtracer.jfr.model;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The clock anchor the JFR bridge writes into a trace: a user log in category {@link #CATEGORY}
 * whose message holds {@code System.nanoTime()} and the wall clock (nanoseconds since the epoch),
 * read together just before the log was written. The trace records the log's time on its own
 * clock, so the log ties trace time to both clocks.
 *
 * <p>Invariant: {@link #of} accepts exactly what {@link #message} produces; a clock log it cannot
 * read is a {@link Malformed} naming its time and the bad value, never a stray parse exception.
 */
public record ClockLog(long traceNanos, long nanoTime, long epochNanos) {
    /** A log in the clock category whose numbers are not 64-bit integers. */
    public static final class Malformed extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message);
        }
    }

    public static final String CATEGORY = "loomtrace.clock";
    private static final Pattern FORMAT = Pattern.compile("nanoTime=(-?\\d+) epochNanos=(-?\\d+)");

    public static String message(long nanoTime, long epochNanos) {
        return "nanoTime=" + nanoTime + " epochNanos=" + epochNanos;
    }

    /** The anchor in a log episode, or null if it is not a clock log; {@link Malformed} if it is one that cannot be read. */
    public static ClockLog of(Episode.Log log) {
        if (!CATEGORY.equals(log.category()) || log.message() == null) {
            return null;
        }
        Matcher m = FORMAT.matcher(log.message());
        if (!m.find()) {
            return null;
        }
        try {
            return new ClockLog(log.time(), Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
        } catch (NumberFormatException e) {
            throw new Malformed("the clock log (category " + CATEGORY + ") at trace time " + log.time() + " ns holds a number"
                    + " out of the 64-bit range: " + log.message());
        }
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

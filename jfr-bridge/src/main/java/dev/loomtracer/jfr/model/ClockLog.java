package dev.loomtracer.jfr.model;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The clock anchor the JFR bridge writes into a trace: a user log in category {@link #CATEGORY}
 * whose message holds {@code System.nanoTime()} and the wall clock (nanoseconds since the epoch),
 * read together just before the log was written. The trace records the log's time on its own
 * clock, so the log ties trace time to both clocks.
 *
 * <p>Invariant: {@link #parse} accepts exactly what {@link #message} produces.
 */
public record ClockLog(long traceNanos, long nanoTime, long epochNanos) {
    public static final String CATEGORY = "loomtrace.clock";
    private static final Pattern FORMAT = Pattern.compile("nanoTime=(-?\\d+) epochNanos=(-?\\d+)");

    public static String message(long nanoTime, long epochNanos) {
        return "nanoTime=" + nanoTime + " epochNanos=" + epochNanos;
    }

    /** The anchor in a log episode, or null if it is not a clock log. */
    public static ClockLog of(Episode.Log log) {
        if (!CATEGORY.equals(log.category()) || log.message() == null) {
            return null;
        }
        Matcher m = FORMAT.matcher(log.message());
        if (!m.find()) {
            return null;
        }
        return new ClockLog(log.time(), Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
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

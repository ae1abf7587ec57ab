package dev.loomtracer.format;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The trace's wall clock: a user log of category {@link #CATEGORY} whose message ties one instant
 * to {@code System.nanoTime()}, to the wall clock (ns since the epoch) and, when the writer knows
 * it, to trace time: {@code nanoTime=N epochNanos=E [traceNanos=T]}. The engine writes one in
 * every generation (read together by its advancer, so the message carries T); JfrImport
 * writes one without T, at the log's own time. Go's format has no wall clock of its own (Go 1.23).
 *
 * <p>Invariant: {@link #parse} accepts exactly what {@link #message} produces; a reader that gets
 * no {@code traceNanos} uses the log's time.
 */
public final class ClockAnchor {
    private ClockAnchor() {}

    public static final String CATEGORY = "loomtrace.clock";
    private static final Pattern FORMAT = Pattern.compile("nanoTime=(-?\\d+) epochNanos=(-?\\d+)(?: traceNanos=(\\d+))?");

    /** The message of an anchor read at one instant; {@code traceNanos} < 0: not known (the log's time is it). */
    public static String message(long nanoTime, long epochNanos, long traceNanos) {
        return "nanoTime=" + nanoTime + " epochNanos=" + epochNanos + (traceNanos >= 0 ? " traceNanos=" + traceNanos : "");
    }

    /** {@link #parse}, with a number out of the 64-bit range also giving null (the anchor cannot be used). */
    public static long[] parseOrNull(String message) {
        try {
            return parse(message);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * {nanoTime, epochNanos, traceNanos or -1}, or null if {@code message} is not an anchor.
     *
     * @throws NumberFormatException if it is one whose numbers are out of the 64-bit range
     */
    public static long[] parse(String message) {
        if (message == null) {
            return null;
        }
        Matcher m = FORMAT.matcher(message);
        if (!m.find()) {
            return null;
        }
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)),
                m.group(3) == null ? -1 : Long.parseLong(m.group(3))};
    }
}

package dev.loomtracer.trigger;

import java.time.Duration;
import java.util.Locale;

/**
 * A flight-recorder trigger condition, written {@code KIND>DURATION}:
 * <ul>
 *   <li>{@code task>500ms}: a user task ({@code dev.loomtracer.Task}) ended after lasting longer;</li>
 *   <li>{@code pinned>20ms}: a virtual thread stayed pinned to its carrier while parked (a pinned
 *       episode, a syscall in the trace) longer;</li>
 *   <li>{@code schedlat>10ms}: a virtual thread waited longer between becoming runnable (created,
 *       unblocked, yielded) and running;</li>
 *   <li>{@code block>1s}: a virtual thread stayed blocked longer before it was unblocked.</li>
 * </ul>
 * Invariant: the threshold is positive; a condition holds only for a span whose two ends are both
 * in the trace (an end is seen when its generation completes).
 */
public record Trigger(Kind kind, Duration threshold) {

    /** What a trigger measures. */
    public enum Kind {
        TASK("task"), PINNED("pinned"), SCHEDLAT("schedlat"), BLOCK("block");

        private final String word;

        Kind(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }
    }

    public Trigger {
        if (threshold == null || threshold.isNegative() || threshold.isZero()) {
            throw new IllegalArgumentException("a trigger's threshold must be positive, got " + threshold);
        }
    }

    /** Parses {@code task>500ms}, {@code pinned>20ms}, {@code schedlat>10ms}, {@code block>1s}. */
    public static Trigger parse(String spec) {
        String s = spec.strip();
        int gt = s.indexOf('>');
        if (gt < 0) {
            throw new IllegalArgumentException("bad trigger '" + spec + "': expected KIND>DURATION, e.g. task>500ms "
                    + "(kinds: task, pinned, schedlat, block)");
        }
        String k = s.substring(0, gt).strip().toLowerCase(Locale.ROOT);
        Kind kind = null;
        for (Kind c : Kind.values()) {
            if (c.word.equals(k)) {
                kind = c;
            }
        }
        if (kind == null) {
            throw new IllegalArgumentException("bad trigger '" + spec + "': unknown kind '" + k
                    + "' (kinds: task, pinned, schedlat, block)");
        }
        return new Trigger(kind, duration(spec, s.substring(gt + 1).strip()));
    }

    private static Duration duration(String spec, String v) {
        String u = v.toLowerCase(Locale.ROOT);
        try {
            if (u.endsWith("us")) {
                return Duration.ofNanos(Long.parseLong(u.substring(0, u.length() - 2)) * 1000);
            } else if (u.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(u.substring(0, u.length() - 2)));
            } else if (u.endsWith("s")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(u.substring(0, u.length() - 1)) * 1000));
            } else if (u.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(u.substring(0, u.length() - 1)));
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException("bad trigger '" + spec + "': the threshold needs a unit, e.g. 500ms, 20ms, 1s");
    }

    /** {@code task>500ms}: what a snapshot's file name and log line say. */
    @Override
    public String toString() {
        long ns = threshold.toNanos();
        String t = ns % 1_000_000_000L == 0 ? ns / 1_000_000_000L + "s"
                : ns % 1_000_000L == 0 ? ns / 1_000_000L + "ms" : ns / 1000 + "us";
        return kind.word + ">" + t;
    }
}

package dev.loomtracer.hooks.core;

import dev.loomtracer.format.BlockReasons;

/**
 * The strings of timed block reasons ({@link BlockReasons#timed}: {@code sleep 5 ms},
 * {@code sync: park ReentrantLock$NonfairSync (timeout 2 ms)}), cached so that a hook that tells
 * a timed wait allocates nothing for a reason and duration it has told before.
 *
 * <p>Invariant: a (reason, duration) seen before costs a table lookup and returns the same
 * string; the first sight builds it once ({@link BlockReasons#timed}, the one place the form is
 * decided) and stores an immutable entry in a bounded table, so racing hooks see a whole entry
 * or another one, never a mix. Reasons are the interned strings {@link Reasons} gives, compared
 * by identity; durations are compared after {@link BlockReasons#roundUp}, so the table holds at
 * most ~90 durations per decade and reason.
 */
public final class Timeouts {
    private Timeouts() {}

    private record Entry(String reason, long nanos, String text) {}

    private static final int SIZE = 1 << 10;
    private static final Entry[] CACHE = new Entry[SIZE];

    /** {@code reason} with the duration {@code nanos} a timed wait asked for; {@code reason} itself for 0. */
    public static String of(String reason, long nanos) {
        if (nanos <= 0 || reason == Reasons.NETWORK) {
            return reason;
        }
        long rounded = BlockReasons.roundUp(nanos);
        int i = (int) (((System.identityHashCode(reason) * 0x9E3779B97F4A7C15L) ^ (rounded * 0xC2B2AE3D27D4EB4FL)) >>> 54)
                & (SIZE - 1);
        Entry e = CACHE[i];
        if (e != null && e.reason() == reason && e.nanos() == rounded) {
            return e.text();
        }
        String text = BlockReasons.timed(reason, rounded);
        CACHE[i] = new Entry(reason, rounded, text);
        return text;
    }
}

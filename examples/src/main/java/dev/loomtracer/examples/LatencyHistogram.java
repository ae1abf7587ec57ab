package dev.loomtracer.examples;

/**
 * A log-linear histogram of latencies in nanoseconds: 64 linear sub-buckets per power of two, so
 * a percentile is within 1/64 (1.6 %) of the true value, in 32 KiB whatever the count. Not
 * thread-safe: one per recording thread, {@link #add merged} at the end.
 */
final class LatencyHistogram {
    private static final int SUB_BITS = 6;
    private static final int SUB = 1 << SUB_BITS;
    private final long[] counts = new long[SUB * 64];
    private long count;
    private long max;
    private double sum;

    void record(long nanos) {
        long v = Math.max(0, nanos);
        counts[index(v)]++;
        count++;
        sum += v;
        if (v > max) {
            max = v;
        }
    }

    void add(LatencyHistogram o) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] += o.counts[i];
        }
        count += o.count;
        sum += o.sum;
        max = Math.max(max, o.max);
    }

    long count() {
        return count;
    }

    long max() {
        return max;
    }

    double mean() {
        return count == 0 ? 0 : sum / count;
    }

    /** The value at quantile {@code q} (0..1), as the middle of its bucket; 0 when empty. */
    long quantile(double q) {
        if (count == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(q * count));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(max, (lowest(i) + lowest(i + 1) - 1) / 2);
            }
        }
        return max;
    }

    static int index(long v) {
        if (v < SUB) {
            return (int) v;
        }
        int e = 63 - Long.numberOfLeadingZeros(v); // >= SUB_BITS
        int shift = e - SUB_BITS;
        return SUB + shift * SUB + (int) ((v >>> shift) - SUB);
    }

    static long lowest(int index) {
        if (index < SUB) {
            return index;
        }
        int shift = (index - SUB) / SUB;
        long sub = (index - SUB) % SUB + SUB;
        return sub << shift;
    }
}

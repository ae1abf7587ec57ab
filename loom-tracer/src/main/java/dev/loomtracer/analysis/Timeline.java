package dev.loomtracer.analysis;

import dev.loomtracer.analysis.AnalysisResult.Bucket;
import java.util.ArrayList;
import java.util.List;

/**
 * Carrier busy time and run-queue length over the trace, in equal time buckets. Buckets start 1 ms
 * wide; when the trace outgrows {@link #MAX_BUCKETS}, neighbours are merged and the width doubles,
 * so any trace fits in at most that many.
 *
 * <p>Invariant: the sum of busy nanoseconds over the buckets equals the busy time added, and of
 * waits the scheduler waits added; memory is
 * fixed; times before {@link #origin} are never added (the model emits nothing before its first event).
 */
final class Timeline {
    static final int MAX_BUCKETS = 512;

    private long origin = -1;
    private long width = 1_000_000;
    private long end;
    private final long[] busy = new long[MAX_BUCKETS];
    private final long[] runnableNanos = new long[MAX_BUCKETS];
    private final int[] peak = new int[MAX_BUCKETS];
    private final long[] waits = new long[MAX_BUCKETS];
    private final long[] waitNanos = new long[MAX_BUCKETS];
    private final long[] maxWait = new long[MAX_BUCKETS];
    private int used;
    private long hitFrom = 1, hitTo; // offsets [hitFrom, hitTo) of bucket hit, the last one looked up (none yet)
    private int hit;
    private long lastChange = -1;
    private int lastRunnable;
    private int peakRunnable;

    void origin(long t) {
        if (origin < 0 && t >= 0) {
            origin = t;
        }
    }

    long width() {
        return width;
    }

    int peakRunnable() {
        return peakRunnable;
    }

    /** Adds [start, end) of busy time. */
    void busy(long start, long stop) {
        spread(busy, start, stop);
    }

    /** A scheduler wait of {@code nanos} ended at {@code time}. */
    void waited(long time, long nanos) {
        if (origin < 0) {
            return;
        }
        end = Math.max(end, time);
        int b = index(time);
        waits[b]++;
        waitNanos[b] += nanos;
        maxWait[b] = Math.max(maxWait[b], nanos);
    }

    /** The run queue has {@code n} threads from {@code time} on. */
    void runnable(long time, int n) {
        if (lastChange >= 0 && lastRunnable > 0) {
            spreadWeighted(lastChange, time, lastRunnable);
        }
        lastChange = time;
        lastRunnable = n;
        peakRunnable = Math.max(peakRunnable, n);
        int b = index(time);
        peak[b] = Math.max(peak[b], n);
    }

    void end(long time) {
        if (lastChange >= 0 && lastRunnable > 0 && time > lastChange) {
            spreadWeighted(lastChange, time, lastRunnable);
        }
        lastChange = time;
        end = Math.max(end, time);
        if (origin >= 0) {
            index(time);
        }
    }

    List<Bucket> buckets(int carriers) {
        List<Bucket> l = new ArrayList<>(used);
        for (int i = 0; i < used; i++) {
            long start = origin + i * width;
            long w = Math.max(1, Math.min(width, end - start));
            double b = carriers == 0 ? 0 : Math.min(1.0, busy[i] / ((double) w * carriers));
            l.add(new Bucket(start, b, runnableNanos[i] / (double) w, peak[i], waits[i], waitNanos[i], maxWait[i]));
        }
        return l;
    }

    /** The run queue held {@code weight} threads over [start, stop): its time, and its level in each bucket's peak. */
    private void spreadWeighted(long start, long stop, int weight) {
        spread(runnableNanos, start, stop, weight);
        if (origin >= 0 && stop > start) {
            int last = index(stop - 1); // first: it may widen the buckets
            for (int b = index(start); b <= last; b++) {
                peak[b] = Math.max(peak[b], weight);
            }
        }
    }

    private void spread(long[] into, long start, long stop) {
        spread(into, start, stop, 1);
    }

    /** Adds {@code weight} times the overlap of [start, stop) with each bucket. */
    private void spread(long[] into, long start, long stop, long weight) {
        if (origin < 0 || stop <= start) {
            return;
        }
        end = Math.max(end, stop);
        int last = index(stop - 1);
        int first = index(start);
        if (first == last) {
            into[first] += (stop - start) * weight;
            return;
        }
        for (int b = first; b <= last; b++) {
            long bs = origin + b * width;
            long overlap = Math.min(stop, bs + width) - Math.max(start, bs);
            if (overlap > 0) {
                into[b] += overlap * weight;
            }
        }
    }

    /**
     * The bucket of {@code t}, widening the buckets until it fits. Most times fall in the bucket of
     * the time before, which is answered without a division.
     */
    private int index(long t) {
        long off = Math.max(0, t - origin);
        if (off >= hitFrom && off < hitTo) {
            return hit;
        }
        while (off / width >= MAX_BUCKETS) {
            fold();
        }
        int i = (int) (off / width);
        used = Math.max(used, i + 1);
        hit = i;
        hitFrom = i * width;
        hitTo = hitFrom + width;
        return i;
    }

    private void fold() {
        for (int i = 0; i < MAX_BUCKETS / 2; i++) {
            busy[i] = busy[2 * i] + busy[2 * i + 1];
            runnableNanos[i] = runnableNanos[2 * i] + runnableNanos[2 * i + 1];
            peak[i] = Math.max(peak[2 * i], peak[2 * i + 1]);
            waits[i] = waits[2 * i] + waits[2 * i + 1];
            waitNanos[i] = waitNanos[2 * i] + waitNanos[2 * i + 1];
            maxWait[i] = Math.max(maxWait[2 * i], maxWait[2 * i + 1]);
        }
        for (int i = MAX_BUCKETS / 2; i < MAX_BUCKETS; i++) {
            busy[i] = 0;
            runnableNanos[i] = 0;
            peak[i] = 0;
            waits[i] = 0;
            waitNanos[i] = 0;
            maxWait[i] = 0;
        }
        used = (used + 1) / 2;
        width *= 2;
        hitFrom = 1;
        hitTo = 0;
    }
}

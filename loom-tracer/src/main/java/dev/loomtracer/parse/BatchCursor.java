package dev.loomtracer.parse;

import dev.loomtracer.format.Uvarint;
import java.util.List;

/**
 * Walks the event batches of one M in order, decoding one timed event at a time (Go's
 * {@code batchCursor}).
 *
 * <p>Invariant: after a successful {@link #next}, {@link #ev} is the M's
 * next undelivered event; its time is the batch base time plus the sum of the deltas so far,
 * converted to nanoseconds with the generation's frequency exactly as Go does.
 */
final class BatchCursor {
    final long m;
    private long lastTs;
    private int idx;
    private int dataOff;
    private final long[] v = new long[1];

    /** The last event read. */
    final Ordering.Raw ev = new Ordering.Raw();

    BatchCursor(long m) {
        this.m = m;
    }

    /** Reads the next event; returns false when the M's batches are exhausted. */
    boolean next(List<Batch> batches, Generation gen) throws TraceFormatException {
        while (idx < batches.size() && batches.get(idx).data().length == dataOff) {
            idx++;
            dataOff = 0;
            lastTs = 0;
        }
        if (idx == batches.size()) {
            return false;
        }
        Batch b = batches.get(idx);
        if (lastTs == 0) {
            lastTs = gen.ticksToNanos(b.ticks());
        }
        byte[] d = b.data();
        int pos = dataOff;
        ev.offset = b.dataOffset() + pos;
        int t = d[pos] & 0xFF;
        if (!EventSpec.isTimed(t)) {
            if (t < EventSpec.LIMIT) { // in Go's spec table, but not a timed event
                throw error(gen, "found event without a timestamp: type=" + EventSpec.name(t));
            }
            throw error(gen, "found invalid event type: " + t);
        }
        pos++;
        int next = Uvarint.read(d, pos, d.length, v);
        if (next < 0) {
            throw error(gen, "found invalid uvarint for timestamp of " + EventSpec.name(t));
        }
        pos = next;
        long tsdiff = v[0];
        int n = EventSpec.argCount(t) - 1;
        for (int i = 0; i < n; i++) {
            next = Uvarint.read(d, pos, d.length, v);
            if (next < 0) {
                throw error(gen, "found invalid uvarint for argument " + (i + 1) + " of " + EventSpec.name(t));
            }
            pos = next;
            ev.args[i] = v[0];
        }
        ev.type = t;
        ev.argCount = n;
        ev.time = gen.ticksToNanos(tsdiff) + lastTs;
        lastTs = ev.time;
        dataOff = pos;
        return true;
    }

    private TraceFormatException error(Generation gen, String detail) {
        return TraceFormatException.invalid(gen.number(), ev.offset, "M " + m + ": " + detail);
    }
}

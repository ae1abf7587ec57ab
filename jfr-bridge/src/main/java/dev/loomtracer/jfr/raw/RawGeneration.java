package dev.loomtracer.jfr.raw;

import dev.loomtracer.format.EventType;
import dev.loomtracer.format.Uvarint;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The batches of one generation as raw bytes, plus what a light scan of them tells without
 * ordering events: the tick frequency, the time span, and the largest string, stack and PC ids
 * (so new table entries can be added without colliding).
 *
 * <p>Invariant: {@link #batches()} are in stream order and all have generation {@link #number()};
 * {@link #minTicks()} ≤ every event timestamp ≤ {@link #maxTicks()} (raw ticks).
 */
public final class RawGeneration {
    private final long number;
    private final List<RawBatch> batches = new ArrayList<>();
    private long ticksPerSecond;
    private long minTicks = Long.MAX_VALUE;
    private long maxTicks = Long.MIN_VALUE;
    private long maxStringId;
    private long maxStackId;
    private long maxPc;
    private long bytes;
    private long eventCount;

    private final boolean scan;

    public RawGeneration(long number) {
        this(number, true);
    }

    /**
     * @param scan decode the batches for the time span and table ids; without it only the
     *             frequency is read (for a live stream that only needs the generation's bytes)
     */
    public RawGeneration(long number, boolean scan) {
        this.number = number;
        this.scan = scan;
    }

    public long number() {
        return number;
    }

    public List<RawBatch> batches() {
        return Collections.unmodifiableList(batches);
    }

    /** Ticks per second from the frequency batch; 0 if none was seen. */
    public long ticksPerSecond() {
        return ticksPerSecond;
    }

    public boolean hasFrequency() {
        return ticksPerSecond != 0;
    }

    /** Earliest timestamp (raw ticks) of an event batch or event; Long.MAX_VALUE if none. */
    public long minTicks() {
        return minTicks;
    }

    /** Latest event timestamp (raw ticks); Long.MIN_VALUE if none. */
    public long maxTicks() {
        return maxTicks;
    }

    public long maxStringId() {
        return maxStringId;
    }

    public long maxStackId() {
        return maxStackId;
    }

    public long maxPc() {
        return maxPc;
    }

    /** Bytes of the batches of this generation. */
    public long size() {
        return bytes;
    }

    /** Timed events in event batches (an approximation of the events the parser will return). */
    public long eventCount() {
        return eventCount;
    }

    /** Nanoseconds per tick, computed as Go's parser does. */
    public double nsPerTick() {
        return 1.0 / (ticksPerSecond / 1e9);
    }

    /** Adds the next batch of this generation and scans it. */
    public void add(RawBatch b) throws RawTraceException {
        if (b.gen() != number) {
            throw new IllegalArgumentException("batch of generation " + b.gen() + " added to " + number);
        }
        batches.add(b);
        bytes += b.bytes().length;
        if (b.isExperimental()) {
            return;
        }
        try {
            if (b.isFrequency()) {
                scanFrequency(b);
            } else if (!scan) {
                return;
            } else if (b.isStrings()) {
                scanStrings(b);
            } else if (b.isStacks()) {
                scanStacks(b);
            } else if (b.isCpuSamples()) {
                scanSamples(b);
            } else {
                scanEvents(b);
            }
        } catch (ArrayIndexOutOfBoundsException | IllegalStateException e) {
            throw new RawTraceException(number, b.offset(), "malformed batch: " + e.getMessage());
        }
    }

    /** All batches, in order, as one byte array (no trace header). */
    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8, bytes));
        for (RawBatch b : batches) {
            out.writeBytes(b.bytes());
        }
        return out.toByteArray();
    }

    // ---------------------------------------------------------------- scanning

    private static final class Cursor {
        final byte[] d;
        int pos;
        final long[] v = new long[1];

        Cursor(byte[] d, int pos) {
            this.d = d;
            this.pos = pos;
        }

        boolean more() {
            return pos < d.length;
        }

        int u8() {
            return d[pos++] & 0xFF;
        }

        long uvarint() {
            int next = Uvarint.read(d, pos, d.length, v);
            if (next < 0) {
                throw new IllegalStateException("bad uvarint at payload byte " + pos);
            }
            pos = next;
            return v[0];
        }
    }

    private void scanFrequency(RawBatch b) {
        Cursor c = new Cursor(b.bytes(), b.payloadStart() + 1);
        ticksPerSecond = c.uvarint();
    }

    private void scanStrings(RawBatch b) {
        Cursor c = new Cursor(b.bytes(), b.payloadStart() + 1);
        while (c.more()) {
            c.u8();
            long id = c.uvarint();
            long n = c.uvarint();
            c.pos += (int) n;
            maxStringId = Math.max(maxStringId, id);
        }
    }

    private void scanStacks(RawBatch b) {
        Cursor c = new Cursor(b.bytes(), b.payloadStart() + 1);
        while (c.more()) {
            c.u8();
            long id = c.uvarint();
            long n = c.uvarint();
            for (long i = 0; i < n; i++) {
                long pc = c.uvarint();
                c.uvarint();
                c.uvarint();
                c.uvarint();
                if (Long.compareUnsigned(pc, maxPc) > 0) {
                    maxPc = pc;
                }
            }
            maxStackId = Math.max(maxStackId, id);
        }
    }

    private void scanSamples(RawBatch b) {
        Cursor c = new Cursor(b.bytes(), b.payloadStart() + 1);
        while (c.more()) {
            c.u8();
            long ts = c.uvarint();
            c.uvarint();
            c.uvarint();
            c.uvarint();
            c.uvarint();
            minTicks = Math.min(minTicks, ts);
            maxTicks = Math.max(maxTicks, ts);
        }
    }

    private void scanEvents(RawBatch b) {
        long ts = b.ticks();
        minTicks = Math.min(minTicks, ts);
        maxTicks = Math.max(maxTicks, ts);
        Cursor c = new Cursor(b.bytes(), b.payloadStart());
        while (c.more()) {
            int type = c.u8();
            if (!EventType.isTimed(type)) {
                return; // not a go 1.23 timed event: leave the rest to the parser
            }
            int n = EventType.argCount(type);
            ts += c.uvarint();
            for (int i = 1; i < n; i++) {
                c.uvarint();
            }
            eventCount++;
        }
        maxTicks = Math.max(maxTicks, ts);
    }
}

package dev.loomtracer.parse;

import dev.loomtracer.format.BatchLayout;
import dev.loomtracer.format.EventType;
import dev.loomtracer.format.Uvarint;
import java.io.IOException;

/**
 * Frames batches from a stream, as {@link BatchLayout} lays them out (Go's {@code readBatch}).
 *
 * <p>Invariant: a batch is returned only whole; an input that ends inside a batch is reported as a
 * {@link Truncated} naming the offset of the end and the batch's generation when its header got
 * that far; any other malformation is a {@link TraceFormatException} naming the offset.
 */
final class BatchReader {
    private BatchReader() {}

    /** The input ended inside a batch. {@code gen} is 0 when the header ended before its gen field. */
    static final class Truncated extends Exception {
        private static final long serialVersionUID = 1L;
        final long gen;
        final long offset;

        Truncated(long gen, long offset, String detail) {
            super(detail, null, false, false);
            this.gen = gen;
            this.offset = offset;
        }
    }

    /** Reads the next batch, or returns null if the input ends exactly before one. */
    static Batch read(TraceInput in) throws IOException, Truncated {
        long start = in.offset();
        int type = in.read();
        if (type < 0) {
            return null;
        }
        if (type != EventType.EVENT_BATCH && type != EventType.EXPERIMENTAL_BATCH) {
            // Whose batch this was is unknown (generation 0): the caller attributes it.
            throw TraceFormatException.invalid(0, start, "expected batch event, got " + EventType.name(type));
        }
        int experiment = 0;
        if (type == EventType.EXPERIMENTAL_BATCH) {
            experiment = in.read();
            if (experiment < 0) {
                throw new Truncated(0, in.offset(), "batch header cut short (experiment)");
            }
        }
        long[] h = new long[BatchLayout.FIELDS];
        for (int i = 0; i < BatchLayout.uvarintFields(); i++) {
            int field = BatchLayout.uvarintField(i);
            h[field] = header(in, h[BatchLayout.GEN], BatchLayout.fieldName(field));
        }
        long gen = h[BatchLayout.GEN];
        long m = h[BatchLayout.M];
        long ticks = h[BatchLayout.TIME];
        long size = h[BatchLayout.SIZE];
        if (!BatchLayout.validSize(size)) {
            throw TraceFormatException.invalid(gen, start, BatchLayout.sizeError(size));
        }
        long dataOffset = in.offset();
        byte[] data = new byte[(int) size];
        int n = in.readFully(data, 0, data.length);
        if (n != data.length) {
            throw new Truncated(gen, in.offset(), "batch at byte " + start + " needs " + size
                    + " bytes of events, only " + n + " remain");
        }
        return new Batch(gen, m, ticks, data, start, dataOffset, experiment);
    }

    private static long header(TraceInput in, long gen, String field) throws IOException, Truncated {
        long start = in.offset();
        long x = 0;
        int shift = 0;
        for (int i = 0; i < Uvarint.MAX_BYTES; i++) {
            int b = in.read();
            if (b < 0) {
                throw new Truncated(gen, in.offset(), "batch header cut short (" + field + ")");
            }
            if (b < 0x80) {
                if (i == Uvarint.MAX_BYTES - 1 && b > 1) {
                    break;
                }
                return x | ((long) b << shift);
            }
            x |= (long) (b & 0x7F) << shift;
            shift += 7;
        }
        throw TraceFormatException.invalid(gen, start, "batch " + field + " overflows 64 bits");
    }
}

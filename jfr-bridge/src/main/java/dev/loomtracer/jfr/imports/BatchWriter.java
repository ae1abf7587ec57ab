package dev.loomtracer.jfr.imports;

import dev.loomtracer.format.BatchLayout;
import dev.loomtracer.format.EventType;
import dev.loomtracer.format.Uvarint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Encodes batches of the go 1.23 wire format ({@link BatchLayout}): headers and payloads, split so no
 * payload exceeds {@link BatchLayout#MAX_PAYLOAD}.
 *
 * <p>Invariant: every batch written is whole and framed as Go's parser reads it; a record (a
 * string, a stack, an event) never straddles two batches; a continuation batch of a structural
 * kind starts with its kind byte again.
 */
final class BatchWriter {
    private static final int LIMIT = BatchLayout.MAX_PAYLOAD - 64;

    private final OutputStream out;
    private final long gen;
    private final long m;
    private final int kind; // structural kind byte to repeat per batch, or -1 for event batches
    private final ByteArrayOutputStream payload = new ByteArrayOutputStream();
    private final ByteArrayOutputStream record = new ByteArrayOutputStream();
    private final byte[] scratch = new byte[Uvarint.MAX_BYTES];
    private long batchTicks = -1;
    private long lastTicks;
    int batches;

    /** A writer of event batches on {@code m} (timestamps are deltas from the batch header). */
    static BatchWriter events(OutputStream out, long gen, long m) {
        return new BatchWriter(out, gen, m, -1);
    }

    /** A writer of structural batches of {@code kind} (Strings, Stacks, CPUSamples). */
    static BatchWriter tables(OutputStream out, long gen, int kind) {
        return new BatchWriter(out, gen, EventType.NO_THREAD, kind);
    }

    private BatchWriter(OutputStream out, long gen, long m, int kind) {
        this.out = out;
        this.gen = gen;
        this.m = m;
        this.kind = kind;
    }

    // ---------------------------------------------------------------- building one record

    BatchWriter u8(int b) {
        record.write(b);
        return this;
    }

    BatchWriter uvarint(long v) {
        int n = Uvarint.put(scratch, 0, v);
        record.write(scratch, 0, n);
        return this;
    }

    BatchWriter bytes(byte[] b) {
        record.writeBytes(b);
        return this;
    }

    /** Starts a timed event: its type byte and the delta from the previous event's time. */
    BatchWriter event(int type, long ticks) throws IOException {
        if (batchTicks >= 0 && payload.size() + 64 > LIMIT) {
            flush();
        }
        if (batchTicks < 0) {
            batchTicks = ticks;
            lastTicks = ticks;
        }
        record.write(type);
        uvarint(ticks - lastTicks);
        lastTicks = ticks;
        return this;
    }

    /** Ends the current record: adds it to the payload, starting a new batch if it would not fit. */
    void end() throws IOException {
        if (payload.size() + record.size() > LIMIT && payload.size() > 0) {
            flush();
            if (kind < 0) {
                throw new IllegalStateException("an event record was cut across batches");
            }
        }
        if (payload.size() == 0 && kind >= 0) {
            payload.write(kind);
        }
        record.writeTo(payload);
        record.reset();
    }

    /** Writes the pending batch, if any. */
    void flush() throws IOException {
        if (payload.size() == 0 || (kind >= 0 && payload.size() == 1)) {
            payload.reset();
            return;
        }
        byte[] header = new byte[BatchLayout.MAX_HEADER];
        int n = BatchLayout.putHeader(header, 0, gen, m, Math.max(0, batchTicks), payload.size());
        out.write(header, 0, n);
        payload.writeTo(out);
        payload.reset();
        batchTicks = -1;
        batches++;
    }
}

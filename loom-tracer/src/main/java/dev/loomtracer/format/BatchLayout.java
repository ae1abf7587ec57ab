package dev.loomtracer.format;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The wire layout of a trace file: its header and the framing of a batch (Go 1.23:
 * {@code src/internal/trace/version/version.go} for the header, {@code readBatch} in
 * {@code src/internal/trace/batch.go} for the batch, {@code MaxBatchSize} in
 * {@code src/internal/trace/event/go122/event.go}).
 *
 * <pre>
 *   file    +------------------------------+-------+-------+- ... -+
 *           | "go 1.23 trace\0\0\0"         | batch | batch |       |
 *           +------------------------------+-------+-------+- ... -+
 *             FILE_HEADER, FILE_HEADER_LENGTH = 16 bytes
 *
 *   batch   +------+-----+-----+------+------+----------------------------+
 *           | kind | gen |  M  | time | size | payload (size bytes)       |
 *           +------+-----+-----+------+------+----------------------------+
 *            1 byte \__ uvarints, 1 to 10 bytes each _/  size <= MAX_PAYLOAD (64 KiB)
 *
 *   kind    EventBatch (1); an ExperimentalBatch (49) has one more byte, the experiment,
 *           between kind and gen
 *   gen     the generation, from 1
 *   M       the id of the thread that wrote the batch; NO_THREAD (-1) for a table batch
 *   time    the batch's base timestamp, in ticks: its first event's time delta is from it
 *   payload an event batch: whole events, {type byte, uvarint time delta, uvarint args...};
 *           a table batch (Stacks, Strings, CPUSamples, Frequency): its kind byte, then whole
 *           entries; a table larger than one batch repeats its kind byte in every batch
 * </pre>
 *
 * <p>Invariant: this class is the one home of that layout: the engine's writer
 * ({@code TraceBuf}, {@code BatchBuilder}), the parser's {@code BatchReader}, the prefix walk
 * ({@link TracePrefix}), the JFR bridge's framer ({@code jfr.raw.BatchFramer}) and encoder
 * ({@code jfr.imports.BatchWriter}) read and write headers only through it.
 */
public final class BatchLayout {
    private BatchLayout() {}

    /** The 16-byte header a go 1.23 trace starts with (never modify it). */
    public static final byte[] FILE_HEADER = "go 1.23 trace\0\0\0".getBytes(StandardCharsets.US_ASCII);
    /** The header of a go 1.22 trace, which the readers also accept (the framing is the same). */
    private static final byte[] FILE_HEADER_122 = "go 1.22 trace\0\0\0".getBytes(StandardCharsets.US_ASCII);
    /** Length of the file header. */
    public static final int FILE_HEADER_LENGTH = 16;

    /** Largest batch payload Go's parser accepts ({@code MaxBatchSize}). */
    public static final int MAX_PAYLOAD = 64 << 10;
    /** Largest header of an EventBatch: the kind byte and four 64-bit uvarints. */
    public static final int MAX_HEADER = 1 + 4 * Uvarint.MAX_BYTES;

    // Indices into the array readHeader fills.
    public static final int KIND = 0;
    public static final int EXPERIMENT = 1;
    public static final int GEN = 2;
    public static final int M = 3;
    public static final int TIME = 4;
    public static final int SIZE = 5;
    /** Length of the array readHeader fills. */
    public static final int FIELDS = 6;

    /** The header's uvarint fields, in wire order, with the names errors use. */
    private static final int[] UVARINT_FIELDS = {GEN, M, TIME, SIZE};
    private static final String[] FIELD_NAMES = {"kind", "experiment", "gen", "M id", "timestamp", "size"};

    /** readHeader: the bytes end inside the header. */
    public static final int CUT = -1;
    /** readHeader: a header field overflows 64 bits. */
    public static final int OVERFLOW = -2;
    /** readHeader: the first byte is neither EventBatch nor ExperimentalBatch. */
    public static final int NOT_A_BATCH = -3;

    /** "go 1.23" or "go 1.22" if {@code h} (at least 16 bytes) starts with that file header, else null. */
    public static String version(byte[] h) {
        if (h.length >= FILE_HEADER_LENGTH) {
            if (Arrays.equals(h, 0, FILE_HEADER_LENGTH, FILE_HEADER, 0, FILE_HEADER_LENGTH)) {
                return "go 1.23";
            }
            if (Arrays.equals(h, 0, FILE_HEADER_LENGTH, FILE_HEADER_122, 0, FILE_HEADER_LENGTH)) {
                return "go 1.22";
            }
        }
        return null;
    }

    /** True if the first {@code n} bytes of {@code h} could begin a file header the readers accept. */
    public static boolean isFileHeaderPrefix(byte[] h, int n) {
        for (int i = 0; i < n && i < FILE_HEADER_LENGTH; i++) {
            if (h[i] != FILE_HEADER[i] && h[i] != FILE_HEADER_122[i]) {
                return false;
            }
        }
        return true;
    }

    /** True if a header's size field is one Go's parser accepts (compared unsigned). */
    public static boolean validSize(long size) {
        return Long.compareUnsigned(size, MAX_PAYLOAD) <= 0;
    }

    /** The error text for a size that is not {@link #validSize} (Go's wording). */
    public static String sizeError(long size) {
        return "invalid batch size " + Long.toUnsignedString(size) + ", maximum is " + MAX_PAYLOAD;
    }

    /** The name of header field {@code field} ({@link #GEN}, {@link #M}, ...), as errors say it. */
    public static String fieldName(int field) {
        return FIELD_NAMES[field];
    }

    /** The header's uvarint fields in wire order: {@link #GEN}, {@link #M}, {@link #TIME}, {@link #SIZE}. */
    public static int uvarintField(int i) {
        return UVARINT_FIELDS[i];
    }

    /** Number of uvarint fields in a header. */
    public static int uvarintFields() {
        return UVARINT_FIELDS.length;
    }

    /** Length of the EventBatch header {@link #putHeader} writes for these fields. */
    public static int headerLength(long gen, long m, long time, int size) {
        return 1 + Uvarint.size(gen) + Uvarint.size(m) + Uvarint.size(time) + Uvarint.size(size);
    }

    /** Writes an EventBatch header at {@code p}; returns the position after it, where the payload goes. */
    public static int putHeader(byte[] a, int p, long gen, long m, long time, int size) {
        a[p++] = (byte) EventType.EVENT_BATCH;
        p = Uvarint.put(a, p, gen);
        p = Uvarint.put(a, p, m);
        p = Uvarint.put(a, p, time);
        return Uvarint.put(a, p, size);
    }

    /**
     * Reads the batch header at {@code p}, reading no byte at or past {@code limit}, into
     * {@code h} (indexed by {@link #KIND}, {@link #EXPERIMENT} (0 for an EventBatch), {@link #GEN},
     * {@link #M}, {@link #TIME}, {@link #SIZE}). Returns the position of the payload, or
     * {@link #CUT}, {@link #OVERFLOW} or {@link #NOT_A_BATCH}. The size is not checked
     * ({@link #validSize}).
     */
    public static int readHeader(byte[] a, int p, int limit, long[] h) {
        if (p >= limit) {
            return CUT;
        }
        int kind = a[p++] & 0xFF;
        if (kind != EventType.EVENT_BATCH && kind != EventType.EXPERIMENTAL_BATCH) {
            return NOT_A_BATCH;
        }
        h[KIND] = kind;
        h[EXPERIMENT] = 0;
        if (kind == EventType.EXPERIMENTAL_BATCH) {
            if (p >= limit) {
                return CUT;
            }
            h[EXPERIMENT] = a[p++] & 0xFF;
        }
        long[] v = new long[1];
        for (int field : UVARINT_FIELDS) {
            p = Uvarint.read(a, p, limit, v);
            if (p < 0) {
                return p == -1 ? CUT : OVERFLOW;
            }
            h[field] = v[0];
        }
        return p;
    }
}

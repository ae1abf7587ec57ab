package dev.loomtracer.format;

/**
 * Unsigned LEB128, the integer encoding of every field of the trace format (Go's
 * {@code binary.PutUvarint}). A 64-bit value takes at most {@link #MAX_BYTES} bytes.
 */
public final class Uvarint {
    private Uvarint() {}

    public static final int MAX_BYTES = 10;

    /** Writes {@code v} (treated as unsigned) at {@code pos}; returns the position after it. */
    public static int put(byte[] buf, int pos, long v) {
        while ((v & ~0x7FL) != 0) {
            buf[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[pos++] = (byte) v;
        return pos;
    }

    /** Number of bytes {@link #put} writes for {@code v}. */
    public static int size(long v) {
        int n = 1;
        while ((v & ~0x7FL) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    /**
     * Decodes the uvarint at {@code pos}, reading no byte at or past {@code limit} (Go's
     * {@code binary.Uvarint}). Stores the value in {@code out[0]} and returns the position after
     * it; returns -1 if the bytes end before the value does, and -2 if it overflows 64 bits.
     */
    public static int read(byte[] buf, int pos, int limit, long[] out) {
        if (pos < limit && buf[pos] >= 0) { // one byte: most ids and many time deltas
            out[0] = buf[pos];
            return pos + 1;
        }
        long x = 0;
        int shift = 0;
        for (int i = 0; i < MAX_BYTES; i++) {
            if (pos + i >= limit) {
                return -1;
            }
            int b = buf[pos + i] & 0xFF;
            if (b < 0x80) {
                if (i == MAX_BYTES - 1 && b > 1) {
                    return -2;
                }
                out[0] = x | ((long) b << shift);
                return pos + i + 1;
            }
            x |= (long) (b & 0x7F) << shift;
            shift += 7;
        }
        return -2;
    }
}

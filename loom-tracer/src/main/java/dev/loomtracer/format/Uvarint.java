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
}

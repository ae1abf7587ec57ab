package dev.loomtracer.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loomtracer.format.Uvarint;
import org.junit.jupiter.api.Test;

/** Uvarint.read against Uvarint.put and against Go's binary.Uvarint edge cases. */
class UvarintDecodeTest {
    private static final long[] VALUES = {0, 1, 127, 128, 255, 300, 16383, 16384, 1L << 31, 1L << 32,
        (1L << 56) - 1, 1L << 62, Long.MAX_VALUE, Long.MIN_VALUE, -2, -1};

    @Test
    void roundTripsEverySizeOfValue() {
        byte[] buf = new byte[Uvarint.MAX_BYTES + 3];
        long[] out = new long[1];
        for (long v : VALUES) {
            int end = Uvarint.put(buf, 2, v);
            assertEquals(2 + Uvarint.size(v), end, "size of " + v);
            assertEquals(end, Uvarint.read(buf, 2, buf.length, out), "end of " + v);
            assertEquals(v, out[0], "value");
            // Exactly enough bytes is fine; one byte fewer is truncation.
            assertEquals(end, Uvarint.read(buf, 2, end, out));
            assertEquals(-1, Uvarint.read(buf, 2, end - 1, out), "truncated " + v);
        }
    }

    @Test
    void knownEncodings() {
        long[] out = new long[1];
        assertEquals(2, Uvarint.read(new byte[] {(byte) 0xAC, 0x02}, 0, 2, out));
        assertEquals(300, out[0]);
        byte[] max = {-1, -1, -1, -1, -1, -1, -1, -1, -1, 0x01};
        assertEquals(10, Uvarint.read(max, 0, max.length, out));
        assertEquals(-1L, out[0]);
    }

    @Test
    void overflowIsRejectedAsGoDoes() {
        long[] out = new long[1];
        // Tenth byte above 1: more than 64 bits.
        byte[] tenth = {-1, -1, -1, -1, -1, -1, -1, -1, -1, 0x02};
        assertEquals(-2, Uvarint.read(tenth, 0, tenth.length, out));
        // Eleven bytes: continuation bit still set on the tenth.
        byte[] eleven = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0x00};
        assertEquals(-2, Uvarint.read(eleven, 0, eleven.length, out));
        // Empty input.
        assertEquals(-1, Uvarint.read(new byte[0], 0, 0, out));
    }
}

package dev.loomtracer.format;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class UvarintTest {
    private static byte[] enc(long v) {
        byte[] b = new byte[Uvarint.MAX_BYTES];
        int n = Uvarint.put(b, 0, v);
        assertEquals(n, Uvarint.size(v), "size() agrees with put() for " + v);
        return java.util.Arrays.copyOf(b, n);
    }

    @Test
    void encodesLikeGoBinaryPutUvarint() {
        // Vectors from Go's encoding/binary.PutUvarint.
        assertArrayEquals(new byte[] {0}, enc(0));
        assertArrayEquals(new byte[] {0x7f}, enc(127));
        assertArrayEquals(new byte[] {(byte) 0x80, 0x01}, enc(128));
        assertArrayEquals(new byte[] {(byte) 0xac, 0x02}, enc(300));
        assertArrayEquals(new byte[] {(byte) 0xff, (byte) 0xff, 0x03}, enc(65535));
        byte[] minus1 = enc(-1L);
        assertEquals(10, minus1.length, "-1 is the largest unsigned value: 10 bytes");
        assertEquals(0x01, minus1[9]);
        for (int i = 0; i < 9; i++) {
            assertEquals((byte) 0xff, minus1[i]);
        }
    }

    @Test
    void roundTripsThroughTheDecoder() {
        long[] values = {0, 1, 127, 128, 16383, 16384, 1L << 35, Long.MAX_VALUE, -1L, Long.MIN_VALUE};
        for (long v : values) {
            byte[] b = enc(v);
            long decoded = 0;
            int shift = 0;
            for (byte x : b) {
                decoded |= (long) (x & 0x7f) << shift;
                shift += 7;
            }
            assertEquals(v, decoded, "round trip of " + v);
        }
    }
}

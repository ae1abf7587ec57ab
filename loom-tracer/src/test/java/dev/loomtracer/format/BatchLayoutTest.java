package dev.loomtracer.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The one descriptor of the wire layout reads what it writes, and says "cut", "overflow" or "not
 * a batch" exactly where the bytes are. (That Go's parser reads the same framing is checked by
 * every trace the tests write: each is judged by {@code GoJudge}.)
 */
class BatchLayoutTest {
    @Test
    void aHeaderReadsBackAndEveryShorterPrefixIsCut() {
        long[][] cases = {{1, 7, 0, 0}, {3, EventType.NO_THREAD, 123456789L, BatchLayout.MAX_PAYLOAD},
                {Long.MAX_VALUE, -2L, -1L, 300}};
        for (long[] c : cases) {
            int size = (int) c[3];
            int len = BatchLayout.headerLength(c[0], c[1], c[2], size);
            assertTrue(len <= BatchLayout.MAX_HEADER, "no header is longer than MAX_HEADER");
            byte[] a = new byte[len + 5];
            assertEquals(len, BatchLayout.putHeader(a, 0, c[0], c[1], c[2], size));
            long[] h = new long[BatchLayout.FIELDS];
            assertEquals(len, BatchLayout.readHeader(a, 0, a.length, h));
            assertEquals(EventType.EVENT_BATCH, h[BatchLayout.KIND]);
            assertEquals(0, h[BatchLayout.EXPERIMENT]);
            assertArrayEquals(c, new long[] {h[BatchLayout.GEN], h[BatchLayout.M], h[BatchLayout.TIME], h[BatchLayout.SIZE]});
            for (int cut = 0; cut < len; cut++) {
                assertEquals(BatchLayout.CUT, BatchLayout.readHeader(a, 0, cut, h), "header cut after " + cut + " bytes");
            }
        }
    }

    @Test
    void anExperimentalBatchHasItsExperimentByteBeforeGen() {
        byte[] a = {(byte) EventType.EXPERIMENTAL_BATCH, 2, 5, 9, 11, 3, 'x', 'y', 'z'};
        long[] h = new long[BatchLayout.FIELDS];
        assertEquals(6, BatchLayout.readHeader(a, 0, a.length, h));
        assertEquals(2, h[BatchLayout.EXPERIMENT]);
        assertEquals(5, h[BatchLayout.GEN]);
        assertEquals(9, h[BatchLayout.M]);
        assertEquals(11, h[BatchLayout.TIME]);
        assertEquals(3, h[BatchLayout.SIZE]);
        assertEquals(BatchLayout.CUT, BatchLayout.readHeader(a, 0, 1, h), "cut before the experiment byte");
    }

    @Test
    void notABatchAndOverflowAreTold() {
        long[] h = new long[BatchLayout.FIELDS];
        assertEquals(BatchLayout.NOT_A_BATCH, BatchLayout.readHeader(new byte[] {(byte) EventType.STRINGS, 1, 1, 1, 1}, 0, 5, h));
        byte[] over = new byte[1 + Uvarint.MAX_BYTES];
        over[0] = (byte) EventType.EVENT_BATCH;
        Arrays.fill(over, 1, over.length, (byte) 0xFF);
        assertEquals(BatchLayout.OVERFLOW, BatchLayout.readHeader(over, 0, over.length, h));
        assertTrue(BatchLayout.validSize(BatchLayout.MAX_PAYLOAD));
        assertFalse(BatchLayout.validSize(BatchLayout.MAX_PAYLOAD + 1));
        assertFalse(BatchLayout.validSize(-1), "sizes compare unsigned");
        assertEquals("invalid batch size 65537, maximum is 65536", BatchLayout.sizeError(65537));
    }

    @Test
    void theFileHeaders() {
        assertEquals(BatchLayout.FILE_HEADER_LENGTH, BatchLayout.FILE_HEADER.length);
        assertEquals("go 1.23", BatchLayout.version(BatchLayout.FILE_HEADER));
        byte[] go122 = "go 1.22 trace\0\0\0".getBytes(StandardCharsets.US_ASCII);
        assertEquals("go 1.22", BatchLayout.version(go122));
        assertNull(BatchLayout.version("go 1.21 trace\0\0\0".getBytes(StandardCharsets.US_ASCII)));
        assertNull(BatchLayout.version(Arrays.copyOf(BatchLayout.FILE_HEADER, 15)));
        assertTrue(BatchLayout.isFileHeaderPrefix(BatchLayout.FILE_HEADER, 9));
        assertTrue(BatchLayout.isFileHeaderPrefix(go122, 16));
        assertFalse(BatchLayout.isFileHeaderPrefix("PK\3\4".getBytes(StandardCharsets.US_ASCII), 4));
    }
}

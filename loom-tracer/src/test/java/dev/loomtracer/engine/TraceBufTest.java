package dev.loomtracer.engine;

import dev.loomtracer.format.BatchLayout;
import dev.loomtracer.format.EventType;
import dev.loomtracer.format.Uvarint;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TraceBufTest {
    private static long uvarint(ByteBuffer b) {
        long v = 0;
        int shift = 0;
        for (;;) {
            int x = b.get() & 0xff;
            v |= (long) (x & 0x7f) << shift;
            if (x < 0x80) {
                return v;
            }
            shift += 7;
        }
    }

    @Test
    void finishFramesTheBatchWithItsHeaderRightBeforeThePayload() {
        TraceBuf b = new TraceBuf(TraceBuf.STANDARD_PAYLOAD);
        b.reset(300, 12345, 1000);
        b.event(EventType.GO_START, 1005);
        b.varint(77);
        b.varint(1);
        b.event(EventType.GO_BLOCK, 1100);
        b.varint(3);
        b.varint(0);
        int payload = b.pos - TraceBuf.HEADER_RESERVE;
        b.finish();
        ByteBuffer v = b.view();
        assertEquals(EventType.EVENT_BATCH, v.get());
        assertEquals(300, uvarint(v), "generation");
        assertEquals(12345, uvarint(v), "M id");
        assertEquals(1000, uvarint(v), "batch base time");
        assertEquals(payload, uvarint(v), "size");
        assertEquals(payload, v.remaining(), "the payload follows the header exactly");
        assertEquals(EventType.GO_START, v.get());
        assertEquals(5, uvarint(v), "first delta is from the batch base time");
        assertEquals(77, uvarint(v));
        assertEquals(1, uvarint(v));
        assertEquals(EventType.GO_BLOCK, v.get());
        assertEquals(95, uvarint(v), "later deltas are from the previous event");
    }

    @Test
    void aStaleTimestampNeverProducesANegativeDelta() {
        TraceBuf b = new TraceBuf(256);
        b.reset(1, 1, 500);
        b.event(EventType.GO_DESTROY, 400);
        b.finish();
        ByteBuffer v = b.view();
        v.position(v.limit() - 2);
        assertEquals(EventType.GO_DESTROY, v.get());
        assertEquals(0, v.get(), "delta clamps to zero");
    }

    @Test
    void aFullStandardBufferHoldsExactlyTheFormatsMaximumPayload() {
        TraceBuf b = new TraceBuf(TraceBuf.STANDARD_PAYLOAD);
        b.reset(1, 1, 0);
        assertEquals(BatchLayout.MAX_PAYLOAD, b.remaining());
        assertTrue(b.isEmpty());
        b.putByte(1);
        assertFalse(b.isEmpty());
        assertTrue(TraceBuf.HEADER_RESERVE >= 1 + 4 * Uvarint.MAX_BYTES, "room for the largest header");
    }
}

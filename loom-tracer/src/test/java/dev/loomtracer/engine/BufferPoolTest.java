package dev.loomtracer.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertSame;

class BufferPoolTest {
    private static TraceBuf buf(long gen) {
        TraceBuf b = new TraceBuf(TraceBuf.STANDARD_PAYLOAD);
        b.reset(gen, 1, 0);
        return b;
    }

    @Test
    void fullQueuesKeepEachGenerationInOrderAndApartFromTheOtherParity() {
        BufferPool p = new BufferPool(64L << 20);
        TraceBuf a1 = buf(1), b2 = buf(2), a2 = buf(1), c3 = buf(3);
        p.enqueueFull(a1);
        p.enqueueFull(b2);
        p.enqueueFull(a2);
        p.enqueueFull(c3); // same parity as 1, after it
        assertSame(a1, p.dequeueFull(1));
        assertSame(a2, p.dequeueFull(1));
        assertNull(p.dequeueFull(1), "generation 3's buffer is not generation 1's");
        assertSame(b2, p.dequeueFull(2));
        assertSame(c3, p.dequeueFull(3));
    }

    @Test
    void discardingALossyGenerationKeepsOlderUnreadBuffersQueuedAheadOfIt() {
        BufferPool p = new BufferPool(64L << 20);
        TraceBuf old1 = buf(5), lossy1 = buf(7), old2 = buf(5), lossy2 = buf(7);
        // A slow reader has not read generation 5 when generation 7 (same parity) queues behind it.
        p.enqueueFull(old1);
        p.enqueueFull(old2);
        p.enqueueFull(lossy1);
        p.enqueueFull(lossy2);
        assertEquals(2, p.discardFull(7));
        assertSame(old1, p.dequeueFull(5));
        assertSame(old2, p.dequeueFull(5));
        assertNull(p.dequeueFull(7), "nothing of the lossy generation is left to read");
        TraceBuf recycled = p.takeEmpty();
        assertNotNull(recycled);
        // And the queue still works after the surgery.
        TraceBuf next = buf(9);
        p.enqueueFull(next);
        assertSame(next, p.dequeueFull(9));
    }

    @Test
    void theMemoryLimitBoundsAllocation() {
        BufferPool p = new BufferPool(5L * (TraceBuf.HEADER_RESERVE + TraceBuf.STANDARD_PAYLOAD));
        List<TraceBuf> got = new ArrayList<>();
        for (TraceBuf b; (b = p.tryAllocate()) != null; ) {
            got.add(b);
        }
        assertEquals(5, got.size());
        assertEquals(5, p.allocated());
        p.release(got.remove(0));
        assertNotNull(p.takeEmpty(), "released buffers are reused");
        assertNull(p.tryAllocate(), "still at the limit");
    }

    /** Tables count against the budget (all tracer memory, issue 11): refused past it, handed to the batches, given back. */
    @Test
    void tablesAndEndOfGenerationBatchesChargeTheBudgetAndGiveItBack() {
        BufferPool p = new BufferPool(4 * BufferPool.STANDARD_BYTES);
        StringTable t = new StringTable(p);
        int n = 0;
        while (t.put("string number " + n) != StringTable.FULL) {
            n++;
        }
        assertTrue(n > 100, n + " strings");
        assertTrue(p.charged() <= 4 * BufferPool.STANDARD_BYTES, "within the budget: " + p.charged());
        assertNull(p.tryAllocate(), "the strings took the memory a buffer would need");
        List<TraceBuf> out = new ArrayList<>();
        t.dump(new BatchBuilder(1, out, p));
        t.reset();
        long batches = out.stream().mapToLong(b -> b.arr.length).sum();
        assertEquals(batches, p.charged(), "the batches hold the charge now");
        out.forEach(p::release);
        assertEquals(0, p.charged(), "all given back");
    }
}

package dev.loomtracer.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reader slot protocol (Go CL 418955) on the real class, under contention from several writers.
 * A lost wake-up would leave the reader parked with data published: the test would hang, which
 * the timeout turns into a failure (it detects a hang, it does not measure speed). jcstress in
 * the stress module checks the same protocol against its broken controls.
 */
class ReaderSlotTest {
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aParkedReaderIsAlwaysWokenForPublishedData() throws Exception {
        ReaderSlot slot = new ReaderSlot();
        AtomicLong published = new AtomicLong();
        int writers = 3;
        int perWriter = 50_000;
        long total = (long) writers * perWriter;
        AtomicInteger parks = new AtomicInteger();
        AtomicInteger noPark = new AtomicInteger();
        AtomicLong readerSaw = new AtomicLong(-1);
        AtomicReference<ReaderSlot.ParkResult> racing = new AtomicReference<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            long consumed = 0;
            while (consumed < total) {
                long p = published.get();
                if (consumed < p) {
                    consumed = p; // take everything published so far
                    continue;
                }
                long seen = consumed;
                ReaderSlot.ParkResult r = slot.park(() -> published.get() > seen);
                if (r == ReaderSlot.ParkResult.RACING_READER) { // reported on the test's thread, below
                    racing.set(r);
                    return;
                }
                if (r == ReaderSlot.ParkResult.DATA_ARRIVED) {
                    noPark.incrementAndGet();
                } else {
                    parks.incrementAndGet();
                }
            }
            readerSaw.set(consumed);
        });
        List<Thread> ws = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            ws.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < perWriter; i++) {
                    published.incrementAndGet(); // publish, then wake (after "releasing the lock")
                    slot.wake();
                    if (i % 64 == 0) {
                        Thread.yield();
                    }
                }
            }));
        }
        for (Thread w : ws) {
            w.join();
        }
        reader.join();
        assertNull(racing.get(), "the only reader was refused as a racing reader");
        assertEquals(total, readerSaw.get(), "the reader saw every publication and returned");
        assertTrue(parks.get() + noPark.get() > 0, "the reader did wait at times");
    }

    @Test
    void aSecondReaderIsRefusedNotBlocked() throws Exception {
        ReaderSlot slot = new ReaderSlot();
        Thread first = Thread.ofPlatform().start(() -> slot.park(() -> false));
        while (!slot.occupied()) {
            Thread.onSpinWait();
        }
        assertEquals(ReaderSlot.ParkResult.RACING_READER, slot.park(() -> false));
        assertEquals(first, slot.wake(), "the writer wakes the parked reader");
        first.join();
        assertTrue(!slot.occupied(), "the slot is empty after the wake-up");
    }
}

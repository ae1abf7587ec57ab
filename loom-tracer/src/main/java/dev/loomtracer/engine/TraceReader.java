package dev.loomtracer.engine;

import dev.loomtracer.format.BatchLayout;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The single trace reader (Go's ReadTrace): hands out the header, then the batches of each
 * completed generation in order, then the end.
 *
 * <p>Invariants: the reader looks for data only under the trace lock and parks only outside it,
 * through the {@link ReaderSlot} commit protocol; the buffer it hands out stays out of the pool
 * until its next call, so no writer can reuse it while the caller reads it; generations come
 * out whole and in order (a generation is read only once the advancer has queued all of it), so
 * a trace that ends at any generation boundary is valid. One reader at a time; a second
 * concurrent one gets an {@link IllegalStateException} and tracing goes on.
 */
final class TraceReader {
    /** A piece of the trace: bytes, or the end of generation {@code endOfGen}. */
    record Chunk(ByteBuffer bytes, long gen, long endOfGen) {}

    private static final ByteBuffer HEADER = ByteBuffer.wrap(BatchLayout.FILE_HEADER).asReadOnlyBuffer();
    private final Tracer t;
    private final AtomicReference<Thread> active = new AtomicReference<>();

    TraceReader(Tracer t) {
        this.t = t;
    }

    ByteBuffer readBytes() throws InterruptedException {
        for (;;) {
            Chunk c = readChunk();
            if (c == null) {
                return null;
            }
            if (c.bytes() != null) {
                return c.bytes();
            }
        }
    }

    /** Counts the bytes handed out, for TraceResult.bytes when the program reads the trace itself. */
    private void countRead(Chunk c) {
        TraceSession s = t.session;
        if (s != null) {
            s.bytesRead.addAndGet(c.bytes().remaining());
        }
    }

    Chunk readChunk() throws InterruptedException {
        Thread me = Thread.currentThread();
        if (!active.compareAndSet(null, me)) {
            throw new IllegalStateException("the trace is already being read by " + active.get()
                    + "; a trace has exactly one reader");
        }
        try {
            return readLoop();
        } finally {
            active.set(null);
        }
    }

    private Chunk readLoop() throws InterruptedException {
        for (;;) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            t.lock.lock();
            if (t.readerSlot.occupied()) {
                t.lock.unlock();
                throw new IllegalStateException("another trace reader is parked; a trace has exactly one reader");
            }
            if (t.reading != null) {
                t.pool.release(t.reading);
                t.reading = null;
            }
            if (!t.headerWritten) {
                t.headerWritten = true;
                t.lock.unlock();
                Chunk c = new Chunk(HEADER.duplicate(), 0, 0);
                countRead(c);
                return c;
            }
            if (t.readerGen <= t.flushedGen) {
                TraceBuf b = t.pool.dequeueFull(t.readerGen);
                if (b != null) {
                    t.reading = b;
                    t.lock.unlock();
                    Chunk c = new Chunk(b.view(), b.gen, 0);
                    countRead(c);
                    return c;
                }
                long done = t.readerGen++;
                t.lock.unlock();
                return new Chunk(null, 0, done);
            }
            if (t.finished) {
                t.lock.unlock();
                t.signalReaderDone();
                return null;
            }
            t.lock.unlock();
            long want = t.readerGen; // only this reader changes it
            ReaderSlot.ParkResult r = t.readerSlot.park(() -> t.flushedGen >= want || t.finished);
            if (r == ReaderSlot.ParkResult.RACING_READER) {
                throw new IllegalStateException("another trace reader is parked; a trace has exactly one reader");
            }
        }
    }
}

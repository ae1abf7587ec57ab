package dev.loomtracer.engine;

import java.nio.ByteBuffer;

/**
 * Buffer hand-off: a buffer the reader holds is never handed to a writer while the reader's
 * caller still reads it. The real {@link TraceReader} keeps the buffer it handed out until its
 * next call, and only then releases it to the {@link BufferPool}. The jcstress test
 * {@code BufferHandoffStress} (stress module, docs/STRESS.md) runs {@link #read} and {@link #write}
 * as its two actors and reports {@link #verdict}; this class is its reach into the engine's
 * package-private classes.
 *
 * <p>Generation 1 has one queued batch whose payload is a known pattern. The reader reads it with
 * the real {@link TraceReader#readChunk()}, checks every byte of the chunk, then calls
 * {@code readChunk()} again (which releases the buffer). The writer flushes a full buffer with the
 * real {@link Tracer#flushAndTake}, which hands it an empty buffer from the pool (or a new one),
 * and fills that buffer with other bytes, as a writer would. If the writer ever got the buffer the
 * reader was still reading, the reader sees corrupted bytes.
 */
public final class BufferHandoffRace {
    static final int PAYLOAD = 512;
    static final byte PATTERN = 0x5A;
    static final byte OTHER = (byte) 0xEE;
    public static final String CORRUPTED = "CORRUPTED: the chunk was overwritten while being read";
    public static final String INTACT_FRESH = "intact, writer got a fresh buffer";
    public static final String INTACT_REUSED = "intact, writer reused the buffer after the reader released it";

    final Tracer t = new Tracer();
    final TraceBuf held;
    final TraceBuf full;
    final boolean releaseEarly;
    String readerOut;
    TraceBuf got;
    String writerError;

    private BufferHandoffRace(boolean releaseEarly) {
        this.releaseEarly = releaseEarly;
        held = t.pool.tryAllocate();
        held.reset(1, 7, 0);
        for (int i = 0; i < PAYLOAD; i++) {
            held.putByte(PATTERN);
        }
        held.finish();
        t.lock.lock();
        t.pool.enqueueFull(held);
        t.lock.unlock();
        t.headerWritten = true;
        t.readerGen = 1;
        t.flushedGen = 1;
        full = t.pool.tryAllocate();
        full.reset(2, 8, 0);
        full.putByte(0);
    }

    /** The real reader: the buffer handed out is released only on the next read. */
    public static BufferHandoffRace real() {
        return new BufferHandoffRace(false);
    }

    /** Broken control: the reader returns the buffer to the pool as it hands it out. */
    public static BufferHandoffRace brokenEarlyRelease() {
        return new BufferHandoffRace(true);
    }

    /** After the chunk is handed out, before the caller reads it: the broken control's early release. */
    private void afterHandOut() {
        if (!releaseEarly) {
            return;
        }
        // BROKEN: release the chunk's buffer to the empty pool now, not on the next read.
        t.lock.lock();
        if (t.reading != null) {
            t.pool.release(t.reading);
            t.reading = null;
        }
        t.lock.unlock();
        Spin.widen(); // makes the race window wide enough for a short CI run to hit it
    }

    public void read() {
        try {
            TraceReader.Chunk c = t.readChunk();
            if (c == null || c.bytes() == null) {
                readerOut = "no chunk";
                return;
            }
            afterHandOut();
            ByteBuffer v = c.bytes();
            // Skip the batch header; the payload is the pattern.
            int end = v.limit();
            int bad = 0;
            for (int i = end - PAYLOAD; i < end; i++) {
                if (v.get(i) != PATTERN) {
                    bad++;
                }
            }
            TraceReader.Chunk next = t.readChunk(); // releases the buffer: the caller is done with it
            readerOut = bad == 0 ? "intact" : CORRUPTED;
            if (next == null || next.endOfGen() != 1) {
                readerOut += ", no end of generation 1";
            }
        } catch (Throwable e) {
            readerOut = "reader exception " + e;
        }
    }

    public void write() {
        try {
            TraceBuf b = t.flushAndTake(full);
            got = b;
            if (b != null) {
                b.reset(2, 8, 0);
                for (int i = 0; i < PAYLOAD + 64; i++) {
                    b.putByte(OTHER);
                }
            }
        } catch (Throwable e) {
            writerError = "writer exception " + e;
        }
    }

    public String verdict() {
        if (writerError != null) {
            return writerError;
        } else if (got == null) {
            return readerOut + ", writer got no buffer";
        } else if (!readerOut.equals("intact")) {
            return readerOut;
        } else {
            return got == held ? INTACT_REUSED : INTACT_FRESH;
        }
    }
}

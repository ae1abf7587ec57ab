package dev.loomtracer.engine;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.L_Result;

import java.nio.ByteBuffer;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Buffer hand-off: a buffer the reader holds is never handed to a writer while the reader's
 * caller still reads it. The real {@link TraceReader} keeps the buffer it handed out until its
 * next call, and only then releases it to the {@link BufferPool}.
 *
 * <p>Generation 1 has one queued batch whose payload is a known pattern. The reader actor reads
 * it with the real {@link TraceReader#readChunk()}, checks every byte of the chunk, then calls
 * {@code readChunk()} again (which releases the buffer). The writer actor flushes a full buffer
 * with the real {@link Tracer#flushAndTake}, which hands it an empty buffer from the pool (or a
 * new one), and fills that buffer with other bytes, as a writer would. If the writer ever got
 * the buffer the reader was still reading, the reader sees corrupted bytes.
 */
public class BufferHandoffStress {
    static final int PAYLOAD = 512;
    static final byte PATTERN = 0x5A;
    static final byte OTHER = (byte) 0xEE;
    static final String CORRUPTED = "CORRUPTED: the chunk was overwritten while being read";
    static final String INTACT_FRESH = "intact, writer got a fresh buffer";
    static final String INTACT_REUSED = "intact, writer reused the buffer after the reader released it";

    abstract static class Base {
        final Tracer t = new Tracer();
        final TraceBuf held;
        final TraceBuf full;
        String readerOut;
        TraceBuf got;
        String writerError;

        Base() {
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

        /** After the chunk is handed out, before the caller reads it; the broken control uses it. */
        abstract void afterHandOut();

        void read() {
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

        void write() {
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

        void judge(L_Result r) {
            if (writerError != null) {
                r.r1 = writerError;
            } else if (got == null) {
                r.r1 = readerOut + ", writer got no buffer";
            } else if (!readerOut.equals("intact")) {
                r.r1 = readerOut;
            } else {
                r.r1 = got == held ? INTACT_REUSED : INTACT_FRESH;
            }
        }
    }

    @JCStressTest
    @Description("Real TraceReader: the buffer handed out is released only on the next read.")
    @Outcome(id = INTACT_FRESH, expect = ACCEPTABLE, desc = "The writer got another buffer.")
    @Outcome(id = INTACT_REUSED, expect = ACCEPTABLE, desc = "The writer got the buffer after the reader was done with it.")
    @Outcome(id = CORRUPTED, expect = FORBIDDEN, desc = "A writer got the buffer while the reader's caller still read it.")
    @Outcome(expect = FORBIDDEN, desc = "Anything else.")
    @State
    public static class Real extends Base {
        @Override
        void afterHandOut() {
        }

        @Actor
        public void reader() {
            read();
        }

        @Actor
        public void writer() {
            write();
        }

        @Arbiter
        public void arbiter(L_Result r) {
            judge(r);
        }
    }

    @JCStressTest
    @Description("Broken control: the reader returns the buffer to the pool as it hands it out; must show corruption.")
    @Outcome(id = INTACT_FRESH, expect = ACCEPTABLE, desc = "The writer got another buffer.")
    @Outcome(id = INTACT_REUSED, expect = ACCEPTABLE, desc = "The writer got the buffer after the reader was done with it.")
    @Outcome(id = CORRUPTED, expect = FORBIDDEN, desc = "A writer got the buffer while the reader's caller still read it.")
    @Outcome(expect = FORBIDDEN, desc = "Anything else.")
    @State
    public static class BrokenEarlyRelease extends Base {
        @Override
        void afterHandOut() {
            // BROKEN: release the chunk's buffer to the empty pool now, not on the next read.
            t.lock.lock();
            if (t.reading != null) {
                t.pool.release(t.reading);
                t.reading = null;
            }
            t.lock.unlock();
            Spin.widen(); // makes the race window wide enough for a short CI run to hit it
        }

        @Actor
        public void reader() {
            read();
        }

        @Actor
        public void writer() {
            write();
        }

        @Arbiter
        public void arbiter(L_Result r) {
            judge(r);
        }
    }
}

package dev.loomtracer.engine;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The empty pool and the per-generation full queues (Go's {@code trace.empty} and
 * {@code trace.full[gen%2]}).
 *
 * <p>Invariant: every method but {@link #tryAllocate()} and {@link #allocated()} is called with
 * the trace lock held. A buffer is in exactly one place at a time: owned by one writer, in one
 * full queue, held by the reader, or in the empty pool; so a buffer the reader holds is never
 * handed to a writer. Standard buffers alive never exceed the memory limit; when the limit is
 * reached {@link #tryAllocate()} fails and the caller counts a loss instead of waiting.
 *
 * <p>It is also the budget of all the tracer's memory ({@code bufferMemory}): standard buffers,
 * the string and stack tables of the generations in progress ({@link #tryCharge}, at each new
 * entry) and the end-of-generation batches waiting for the reader ({@link #charge}, forced: they
 * replace the tables they dump, and are uncharged when released). {@link #charged()} never
 * exceeds the limit by more than the forced charges of one generation's status and frequency
 * batches.
 */
final class BufferPool {
    /** Bytes of one standard buffer. */
    static final long STANDARD_BYTES = TraceBuf.HEADER_RESERVE + TraceBuf.STANDARD_PAYLOAD;

    /** An unlimited budget, for tables used outside a trace. */
    static final BufferPool UNBOUNDED = new BufferPool(Long.MAX_VALUE);

    private final int maxBuffers;
    private final long maxBytes;
    private final AtomicLong charged = new AtomicLong();
    private final AtomicInteger allocated = new AtomicInteger();
    private TraceBuf empty;
    private final TraceBuf[] fullHead = new TraceBuf[2];
    private final TraceBuf[] fullTail = new TraceBuf[2];

    BufferPool(long maxBytes) {
        this.maxBuffers = (int) Math.max(4, Math.min(Integer.MAX_VALUE, maxBytes / STANDARD_BYTES));
        this.maxBytes = Math.max(maxBytes, 4 * STANDARD_BYTES);
    }

    /** Reserves {@code bytes} of the budget if it has them; false (nothing reserved) if not. No lock needed. */
    boolean tryCharge(long bytes) {
        long n;
        do {
            n = charged.get();
            if (n + bytes > maxBytes) {
                return false;
            }
        } while (!charged.compareAndSet(n, n + bytes));
        return true;
    }

    /** Reserves {@code bytes} whatever the budget says (memory that replaces memory already charged). */
    void charge(long bytes) {
        charged.addAndGet(bytes);
    }

    void uncharge(long bytes) {
        charged.addAndGet(-bytes);
    }

    /** Bytes of the budget in use. */
    long charged() {
        return charged.get();
    }

    /** A pooled empty buffer, or null if the pool is empty. Lock held. */
    TraceBuf takeEmpty() {
        TraceBuf b = empty;
        if (b != null) {
            empty = b.link;
            b.link = null;
            if (TraceLockCheck.ON) {
                TraceLockCheck.work(1);
            }
        }
        return b;
    }

    /**
     * Forgets the pooled empty buffers, after the trace's end: they would otherwise stay until the
     * next start. Their charge goes with them. Lock held.
     */
    void dropEmpty() {
        for (TraceBuf b = empty; b != null; b = b.link) {
            uncharge(STANDARD_BYTES);
            allocated.decrementAndGet();
        }
        empty = null;
    }

    /** A new standard buffer if the memory limit allows one, else null. No lock needed. */
    TraceBuf tryAllocate() {
        if (!tryCharge(STANDARD_BYTES)) {
            return null;
        }
        allocated.incrementAndGet();
        return new TraceBuf(TraceBuf.STANDARD_PAYLOAD);
    }

    /** Returns a buffer to the pool; non-standard (small, one-off) buffers are uncharged and left to the GC. Lock held. */
    void release(TraceBuf b) {
        if (TraceLockCheck.ON) {
            TraceLockCheck.work(1);
        }
        if (!b.isStandard()) {
            uncharge(b.arr.length); // charged when built (BatchBuilder)
            return;
        }
        b.link = empty;
        empty = b;
    }

    /** Queues a finished buffer of generation {@code b.gen}. Lock held. */
    void enqueueFull(TraceBuf b) {
        b.link = null;
        enqueueFull(b, b);
    }

    /**
     * Queues the finished buffers {@code first} to {@code last} of generation {@code first.gen},
     * already linked through {@code link} by their sole owner: one step however many there are, so
     * the advancer's hold of the lock does not grow with the size of a generation (Go CL 577377).
     * Lock held.
     */
    void enqueueFull(TraceBuf first, TraceBuf last) {
        int i = (int) (first.gen & 1);
        if (fullTail[i] == null) {
            fullHead[i] = first;
        } else {
            fullTail[i].link = first;
        }
        fullTail[i] = last;
        if (TraceLockCheck.ON) {
            TraceLockCheck.work(1);
        }
    }

    /** The oldest queued buffer of {@code gen}, or null. Lock held. */
    TraceBuf dequeueFull(long gen) {
        int i = (int) (gen & 1);
        TraceBuf b = fullHead[i];
        if (b == null || b.gen != gen) {
            return null;
        }
        fullHead[i] = b.link;
        if (fullHead[i] == null) {
            fullTail[i] = null;
        }
        b.link = null;
        if (TraceLockCheck.ON) {
            TraceLockCheck.work(1);
        }
        return b;
    }

    /**
     * Drops every queued buffer of {@code gen} back into the pool, wherever it is in its queue
     * (unread buffers of generation gen-2 may still be ahead of it); returns how many. Lock held.
     */
    int discardFull(long gen) {
        int i = (int) (gen & 1);
        int n = 0;
        TraceBuf keptHead = null;
        TraceBuf keptTail = null;
        for (TraceBuf b = fullHead[i]; b != null; ) {
            if (TraceLockCheck.ON) {
                TraceLockCheck.work(1);
            }
            TraceBuf next = b.link;
            b.link = null;
            if (b.gen == gen) {
                release(b);
                n++;
            } else if (keptTail == null) {
                keptHead = keptTail = b;
            } else {
                keptTail.link = b;
                keptTail = b;
            }
            b = next;
        }
        fullHead[i] = keptHead;
        fullTail[i] = keptTail;
        return n;
    }

    int allocated() {
        return allocated.get();
    }

    int maxBuffers() {
        return maxBuffers;
    }
}

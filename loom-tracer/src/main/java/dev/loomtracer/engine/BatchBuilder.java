package dev.loomtracer.engine;

import java.util.List;

/**
 * Builds the batches the advancer writes at the end of a generation (status sweeps, stacks,
 * strings, frequency), splitting them at the format's 64 KiB batch limit.
 *
 * <p>Invariant: every batch it emits starts with its kind byte (none for event batches), holds
 * only whole entries, and is sized to its content. These batches cannot fail for lack of memory:
 * each is charged to the budget by force ({@link BufferPool#charge}; they replace the tables they
 * dump, whose charge the tables return first) and uncharged when the reader releases it.
 */
final class BatchBuilder {
    private final long gen;
    private final List<TraceBuf> out;
    private final BufferPool budget;
    private final Runnable afterBatch;
    private final TraceBuf scratch = new TraceBuf(TraceBuf.STANDARD_PAYLOAD);
    private long mid;
    private int kind;
    private long ts;
    private boolean open;

    /** A builder charging no trace's budget, with no preemption point (tests, stress). */
    BatchBuilder(long gen, List<TraceBuf> out) {
        this(gen, out, BufferPool.UNBOUNDED);
    }

    BatchBuilder(long gen, List<TraceBuf> out, BufferPool budget) {
        this(gen, out, budget, () -> { });
    }

    /** {@code afterBatch} runs after each batch is emitted: the builder's preemption point. */
    BatchBuilder(long gen, List<TraceBuf> out, BufferPool budget, Runnable afterBatch) {
        this.gen = gen;
        this.out = out;
        this.budget = budget;
        this.afterBatch = afterBatch;
    }

    /** Starts a batch of a non-event kind (Strings, Stacks, Frequency). */
    void begin(int kind) {
        begin(kind, dev.loomtracer.format.EventType.NO_THREAD, 0);
    }

    /** Starts a batch; {@code kind} 0 means an event batch of M {@code mid} based at {@code ts}. */
    void begin(int kind, long mid, long ts) {
        this.kind = kind;
        this.mid = mid;
        this.ts = ts;
        open = true;
        startScratch();
    }

    private void startScratch() {
        scratch.reset(gen, mid, ts);
        if (kind != 0) {
            scratch.putByte(kind);
        }
    }

    /** Makes room for an entry of at most {@code bytes}, closing the batch and opening another if needed. */
    void reserve(int bytes) {
        if (scratch.remaining() < bytes) {
            emit();
            startScratch();
        }
    }

    TraceBuf buf() {
        return scratch;
    }

    void end() {
        if (open) {
            emit();
            open = false;
        }
    }

    private void emit() {
        boolean onlyKind = kind != 0 ? scratch.pos == TraceBuf.HEADER_RESERVE + 1 : scratch.isEmpty();
        if (onlyKind) {
            return;
        }
        int payload = scratch.pos - TraceBuf.HEADER_RESERVE;
        TraceBuf b = new TraceBuf(payload);
        b.reset(gen, mid, ts);
        System.arraycopy(scratch.arr, TraceBuf.HEADER_RESERVE, b.arr, TraceBuf.HEADER_RESERVE, payload);
        b.pos = TraceBuf.HEADER_RESERVE + payload;
        b.finish();
        budget.charge(b.arr.length);
        out.add(b);
        afterBatch.run();
    }
}

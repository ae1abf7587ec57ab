package dev.loomtracer.engine;

import dev.loomtracer.format.EventType;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * tracestack: one generation's stack table.
 *
 * <p>Invariant: within a generation a distinct stack has exactly one id and the dump lists it
 * once; id 0 is "no stack". Every frame of the dump gets its PC from the trace's {@link FramePcs},
 * so a PC names one frame in the whole trace, not just in this generation. The dump interns frame
 * strings into the same generation's string table, so it must run before that table is dumped.
 *
 * <p>Memory: as {@link StringTable}, each new entry is charged to the trace's budget; when the
 * budget is spent, {@link #put} adds nothing and returns {@link StringTable#FULL}; and each new
 * entry is told to {@code grown} at about the bytes it will take in the trace ({@link #wireBytes}).
 */
class StackTable {
    /** Heap cost of an entry beyond the stack itself ({@link CapturedStack#heapBytes}): map node, Long. */
    static final long ENTRY_OVERHEAD = 64;

    // Package-private and the class non-final only so that the stress module's broken controls can mutate put.
    final ConcurrentHashMap<CapturedStack, Long> ids = new ConcurrentHashMap<>();
    final AtomicLong nextId = new AtomicLong(1);
    private final BufferPool budget;
    private final LongConsumer grown;
    private final AtomicLong charged = new AtomicLong();

    StackTable(BufferPool budget, LongConsumer grown) {
        this.budget = budget;
        this.grown = grown;
    }

    /** A table whose growth ends no generation (tests). */
    StackTable(BufferPool budget) {
        this(budget, StringTable.NOT_COUNTED);
    }

    /** A table with no memory bound (tests, stress). */
    StackTable() {
        this(BufferPool.UNBOUNDED);
    }

    /** The stack's id, or {@link StringTable#FULL} if it is new and the budget has no room for it. */
    long put(CapturedStack stack) {
        if (stack == null || stack.depth() == 0) {
            return 0;
        }
        if (TraceLockCheck.ON) {
            TraceLockCheck.outside("interning a stack");
        }
        Long id = ids.get(stack);
        if (id != null) {
            return id;
        }
        long cost = ENTRY_OVERHEAD + stack.heapBytes();
        if (!budget.tryCharge(cost)) {
            return StringTable.FULL;
        }
        long fresh = nextId.getAndIncrement();
        Long raced = ids.putIfAbsent(stack, fresh);
        if (raced != null) {
            budget.uncharge(cost);
            return raced;
        }
        charged.addAndGet(cost);
        grown.accept(wireBytes(stack));
        return fresh;
    }

    /**
     * About the bytes {@code stack} takes in a stacks batch: the entry's type, id and depth, and per
     * frame its PC, function and file ids and line (varints of ~2-3 bytes). Not its frames' strings,
     * interned at the dump and shared by every stack that has those frames.
     */
    static long wireBytes(CapturedStack stack) {
        return 1 + 3 + 1 + 9L * stack.depth();
    }

    /** The budget this table holds now (its entries' heap cost). */
    long charged() {
        return charged.get();
    }

    int size() {
        return ids.size();
    }

    /** Writes the table as stacks batches. Call only when no writer can add to it. */
    void dump(BatchBuilder out, StringTable strings, FramePcs tracePcs) {
        // Also one PC per frame within the dump when the trace's table is full (FramePcs).
        budget.uncharge(charged.getAndSet(0)); // the batches take over
        Map<CapturedStack.Frame, Long> pcs = new HashMap<>();
        out.begin(EventType.STACKS);
        for (Map.Entry<CapturedStack, Long> e : ids.entrySet()) {
            CapturedStack s = e.getKey();
            out.reserve(1 + 2 * 10 + s.depth() * 4 * 10);
            TraceBuf b = out.buf();
            b.putByte(EventType.STACK);
            b.varint(e.getValue());
            b.varint(s.depth());
            for (CapturedStack.Frame f : s.frames) {
                long pc = pcs.computeIfAbsent(f, tracePcs::pc);
                b.varint(pc);
                b.varint(strings.putForced(f.function()));
                b.varint(strings.putForced(f.file()));
                b.varint(f.line());
            }
        }
        out.end();
    }

    void reset() {
        budget.uncharge(charged.getAndSet(0));
        ids.clear();
        nextId.set(1);
    }
}

package dev.loomtracer.engine;

import dev.loomtracer.format.EventType;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * tracestack: one generation's stack table.
 *
 * <p>Invariant: within a generation a distinct stack has exactly one id and the dump lists it
 * once; id 0 is "no stack". Every frame of the dump gets its PC from the trace's {@link FramePcs},
 * so a PC names one frame in the whole trace, not just in this generation. The dump interns frame
 * strings into the same generation's string table, so it must run before that table is dumped.
 *
 * <p>Memory: as {@link StringTable}, each new entry is charged to the trace's budget; when the
 * budget is spent, {@link #put} adds nothing and returns {@link StringTable#FULL}.
 */
class StackTable {
    /** Heap cost of an entry beyond the stack itself ({@link CapturedStack#heapBytes}): map node, Long. */
    static final long ENTRY_OVERHEAD = 64;

    // Package-private and the class non-final only so that the stress module's broken controls can mutate put.
    final ConcurrentHashMap<CapturedStack, Long> ids = new ConcurrentHashMap<>();
    final AtomicLong nextId = new AtomicLong(1);
    private final BufferPool budget;
    private final AtomicLong charged = new AtomicLong();

    StackTable(BufferPool budget) {
        this.budget = budget;
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
        return fresh;
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

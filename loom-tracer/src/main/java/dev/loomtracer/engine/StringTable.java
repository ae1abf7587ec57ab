package dev.loomtracer.engine;

import dev.loomtracer.format.EventType;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * tracestring: one generation's string dictionary.
 *
 * <p>Invariant: within a generation a string has exactly one id, whichever writers intern it and
 * in whatever order, and the dump lists each id once. Id 0 is the empty string and is never
 * dumped (the format defines it). Looking up a known string allocates nothing; only the first
 * intern of a string in a generation allocates. Strings longer than the format's 1 KiB limit are
 * cut at a character boundary and marked with "…" when dumped, never rejected.
 *
 * <p>Memory: each new entry is charged to the trace's budget ({@link BufferPool}) at its heap
 * cost; when the budget is spent, {@link #put} adds nothing and returns {@link #FULL} (the
 * caller counts a loss, which ends the trace before this generation). The charge is returned
 * when the table is dumped (the batches are charged instead) or reset.
 *
 * <p>Size: each new entry a writer adds is also told to {@code grown} at about the bytes it will
 * take in the trace ({@link #wireBytes}), so that a generation's tables count towards its size
 * ({@link TraceSession#addTableBytes}). The advancer's own entries (frame strings at the dump)
 * are not: their generation is ending.
 */
class StringTable {
    /** What {@link #put} returns when the budget has no room for a new entry. */
    static final long FULL = -1;
    /** Heap cost of an entry beyond the string's characters: the String, its array header, the map node, the Long. */
    static final long ENTRY_OVERHEAD = 96;

    // Package-private and the class non-final only so that the stress module's broken controls can mutate put.
    final ConcurrentHashMap<String, Long> ids = new ConcurrentHashMap<>();
    final AtomicLong nextId = new AtomicLong(1);
    private final BufferPool budget;
    private final LongConsumer grown;
    private final AtomicLong charged = new AtomicLong();

    StringTable(BufferPool budget, LongConsumer grown) {
        this.budget = budget;
        this.grown = grown;
    }

    /** A table whose growth ends no generation (the loss generation's, tests). */
    StringTable(BufferPool budget) {
        this(budget, NOT_COUNTED);
    }

    /** For tables whose growth ends no generation. */
    static final LongConsumer NOT_COUNTED = bytes -> { };

    /** A table with no memory bound (tests, stress). */
    StringTable() {
        this(BufferPool.UNBOUNDED);
    }

    /** The string's id, or {@link #FULL} if it is new and the budget has no room for it. */
    long put(String s) {
        if (TraceLockCheck.ON && s != null && !s.isEmpty()) {
            TraceLockCheck.outside("interning a string");
        }
        return intern(s, false);
    }

    /** {@link #put} for the advancer's own strings (stack frames at the dump): never refused. */
    long putForced(String s) {
        return intern(s, true);
    }

    private long intern(String s, boolean forced) {
        if (s == null || s.isEmpty()) {
            return 0;
        }
        Long id = ids.get(s);
        if (id != null) {
            return id;
        }
        long cost = cost(s);
        if (forced) {
            budget.charge(cost);
        } else if (!budget.tryCharge(cost)) {
            return FULL;
        }
        long fresh = nextId.getAndIncrement();
        Long raced = ids.putIfAbsent(s, fresh);
        if (raced != null) {
            budget.uncharge(cost);
            return raced;
        }
        if (forced) {
            charged.addAndGet(cost);
        } else {
            added(s, cost);
        }
        return fresh;
    }

    /**
     * A new id for {@code s}, which is not looked up nor added to the table (a name told once:
     * {@link FreshStrings}, which the caller adds it to), or {@link #FULL} if the budget has no
     * room. Charged and counted like a new entry of {@link #put}; ids stay unique in the
     * generation.
     */
    long freshId(String s) {
        if (s == null || s.isEmpty()) {
            return 0;
        }
        long cost = cost(s);
        if (!budget.tryCharge(cost)) {
            return FULL;
        }
        added(s, cost);
        return nextId.getAndIncrement();
    }

    /** The heap cost an entry for {@code s} is charged. */
    private static long cost(String s) {
        return ENTRY_OVERHEAD + 2L * s.length();
    }

    /** Counts a writer's new entry {@code s}, whose {@code cost} the budget granted: held by this table, and towards its generation's size. */
    private void added(String s, long cost) {
        charged.addAndGet(cost);
        grown.accept(wireBytes(s));
    }

    /**
     * About the bytes {@code s} takes in a strings batch: its characters as bytes (exact for ASCII;
     * UTF-8 takes up to 3 bytes for some) up to the format's limit, and the entry's type, id and
     * length. An estimate that needs no encoding: writers call it at their first sight of a string.
     */
    static long wireBytes(String s) {
        return 1 + 3 + 2 + Math.min(s.length(), EventType.MAX_STRING_SIZE);
    }

    /** The budget this table holds now (its entries' heap cost). */
    long charged() {
        return charged.get();
    }

    int size() {
        return ids.size();
    }

    /**
     * Writes the table, and the names each M gave a fresh id in this generation ({@code fresh}:
     * {@link FreshStrings}), as strings batches, which take over its charge. Call only when no
     * writer can add to it.
     */
    void dump(BatchBuilder out, Iterable<FreshStrings> fresh) {
        budget.uncharge(charged.getAndSet(0));
        out.begin(EventType.STRINGS);
        for (Map.Entry<String, Long> e : ids.entrySet()) {
            writeEntry(out, e.getValue(), e.getKey());
        }
        for (FreshStrings f : fresh) {
            f.dumpInto(out);
        }
        out.end();
    }

    /** {@link #dump} of the table alone. */
    void dump(BatchBuilder out) {
        dump(out, java.util.List.of());
    }

    /** One entry of the strings batch open on {@code out}. */
    static void writeEntry(BatchBuilder out, long id, String s) {
        if (s.length() <= EventType.MAX_STRING_SIZE) {
            // Most strings (thread names, reasons) are short ASCII: written without encoding them first.
            out.reserve(1 + 2 * 10 + s.length());
            TraceBuf b = out.buf();
            int mark = b.pos;
            b.putByte(EventType.STRING);
            b.varint(id);
            b.varint(s.length());
            if (b.ascii(s)) {
                return;
            }
            b.pos = mark;
        }
        byte[] bytes = encode(s);
        out.reserve(1 + 2 * 10 + bytes.length);
        TraceBuf b = out.buf();
        b.putByte(EventType.STRING);
        b.varint(id);
        b.varint(bytes.length);
        b.bytes(bytes, bytes.length);
    }

    void reset() {
        budget.uncharge(charged.getAndSet(0));
        ids.clear();
        nextId.set(1);
    }

    static byte[] encode(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length <= EventType.MAX_STRING_SIZE) {
            return b;
        }
        byte[] mark = "…".getBytes(StandardCharsets.UTF_8);
        int cut = EventType.MAX_STRING_SIZE - mark.length;
        while (cut > 0 && (b[cut] & 0xC0) == 0x80) {
            cut--; // do not split a UTF-8 sequence
        }
        byte[] r = new byte[cut + mark.length];
        System.arraycopy(b, 0, r, 0, cut);
        System.arraycopy(mark, 0, r, cut, mark.length);
        return r;
    }
}

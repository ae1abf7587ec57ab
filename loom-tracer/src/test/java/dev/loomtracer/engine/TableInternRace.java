package dev.loomtracer.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * String and stack tables: two writers interning the same string (or an equal stack) in one
 * generation get the same id, and the table's dump lists it exactly once, under that id. The
 * jcstress test {@code TableInternStress} (stress module, docs/STRESS.md) runs {@link #writer1} and
 * {@link #writer2} as its two actors and reports {@link #verdict}; this class is its reach into the
 * engine's package-private classes.
 *
 * <p>The writers intern into the real {@link StringTable} / {@link StackTable} (as
 * {@code TraceWriter} does for a generation); the verdict dumps the table with the real
 * {@code dump} through a {@link BatchBuilder} and decodes the batches.
 */
public final class TableInternRace {
    public static final String OK = "same id, dumped once under it";
    static final String VALUE = "java.util.concurrent.locks.ReentrantLock.lock";

    private final StringTable strings;
    private final StackTable stacks;
    long a;
    long b;

    private TableInternRace(StringTable strings, StackTable stacks) {
        this.strings = strings;
        this.stacks = stacks;
    }

    /** The real string table. */
    public static TableInternRace strings() {
        return new TableInternRace(new StringTable(), null);
    }

    /** Broken control: a string table that dedups by get-then-put. */
    public static TableInternRace brokenStrings() {
        return new TableInternRace(new RacyStringTable(), null);
    }

    /** The real stack table. */
    public static TableInternRace stacks() {
        return new TableInternRace(null, new StackTable());
    }

    /** Broken control: a stack table that dedups by get-then-put. */
    public static TableInternRace brokenStacks() {
        return new TableInternRace(null, new RacyStackTable());
    }

    public void writer1() {
        a = intern();
    }

    public void writer2() {
        b = intern();
    }

    /** An equal, not identical, string or stack, as two writers would have. */
    private long intern() {
        return strings != null ? strings.put(new String(VALUE)) : stacks.put(stack());
    }

    public String verdict() {
        return strings != null ? judgeStrings(strings, a, b) : judgeStacks(stacks, a, b);
    }

    static String judgeStrings(StringTable table, long a, long b) {
        if (a != b) {
            return "different ids";
        }
        List<TraceBuf> out = new ArrayList<>();
        table.dump(new BatchBuilder(1, out));
        int seen = 0;
        for (Batches.StringEntry e : Batches.strings(out)) {
            if (e.value().equals(VALUE)) {
                seen++;
                if (e.id() != a) {
                    return "dumped under another id";
                }
            }
        }
        return seen == 1 ? OK : "dumped " + seen + " times";
    }

    /** Broken: dedup by get-then-put instead of putIfAbsent. */
    private static final class RacyStringTable extends StringTable {
        @Override
        long put(String s) {
            Long id = ids.get(s);
            if (id != null) {
                return id;
            }
            long fresh = nextId.getAndIncrement();
            ids.put(s, fresh); // BROKEN: a racing writer's id is overwritten
            return fresh;
        }
    }

    static CapturedStack stack() {
        return CapturedStack.ofFrames(
                new CapturedStack.Frame("java.util.concurrent.locks.LockSupport.park", "java/util/concurrent/locks/LockSupport.java", 371),
                new CapturedStack.Frame("dev.loomtracer.stress.Workload.run", "dev/loomtracer/stress/Workload.java", 42));
    }

    static String judgeStacks(StackTable table, long a, long b) {
        if (a != b) {
            return "different ids";
        }
        StringTable strings = new StringTable();
        List<TraceBuf> out = new ArrayList<>();
        BatchBuilder bb = new BatchBuilder(1, out);
        table.dump(bb, strings, new FramePcs());
        int seen = 0;
        for (Batches.StackEntry e : Batches.stacks(out)) {
            seen++;
            if (e.id() != a) {
                return "dumped under another id";
            }
        }
        return seen == 1 ? OK : "dumped " + seen + " times";
    }

    /** Broken: dedup by get-then-put instead of putIfAbsent. */
    private static final class RacyStackTable extends StackTable {
        @Override
        long put(CapturedStack stack) {
            Long id = ids.get(stack);
            if (id != null) {
                return id;
            }
            long fresh = nextId.getAndIncrement();
            ids.put(stack, fresh); // BROKEN
            return fresh;
        }
    }
}

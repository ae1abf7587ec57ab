package dev.loomtracer.engine;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.L_Result;

import java.util.ArrayList;
import java.util.List;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * String and stack tables: two writers interning the same string (or an equal stack) in one
 * generation get the same id, and the table's dump lists it exactly once, under that id.
 *
 * <p>Actors intern into the real {@link StringTable} / {@link StackTable} (as
 * {@code TraceWriter} does for a generation); the arbiter dumps the table with the real
 * {@code dump} through a {@link BatchBuilder} and decodes the batches.
 */
public class TableInternStress {
    static final String OK = "same id, dumped once under it";
    static final String VALUE = "java.util.concurrent.locks.ReentrantLock.lock";

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

    @JCStressTest
    @Description("Real StringTable: one id per string per generation, dumped once.")
    @Outcome(id = OK, expect = ACCEPTABLE, desc = "Both writers got the id the dump lists.")
    @Outcome(expect = FORBIDDEN, desc = "Two ids for one string, or a dump that lists it twice or never.")
    @State
    public static class Strings {
        final StringTable table = new StringTable();
        long a;
        long b;

        @Actor
        public void writer1() {
            a = table.put(new String(VALUE)); // equal, not identical, as two writers would have
        }

        @Actor
        public void writer2() {
            b = table.put(new String(VALUE));
        }

        @Arbiter
        public void arbiter(L_Result r) {
            r.r1 = judgeStrings(table, a, b);
        }
    }

    /** Broken: dedup by get-then-put instead of putIfAbsent. */
    static final class RacyStringTable extends StringTable {
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

    @JCStressTest
    @Description("Broken control: get-then-put dedup; must show two ids for one string.")
    @Outcome(id = OK, expect = ACCEPTABLE, desc = "Both writers got the id the dump lists.")
    @Outcome(expect = FORBIDDEN, desc = "Two ids for one string, or a dump that lists it twice or never.")
    @State
    public static class BrokenStrings {
        final StringTable table = new RacyStringTable();
        long a;
        long b;

        @Actor
        public void writer1() {
            a = table.put(new String(VALUE));
        }

        @Actor
        public void writer2() {
            b = table.put(new String(VALUE));
        }

        @Arbiter
        public void arbiter(L_Result r) {
            r.r1 = judgeStrings(table, a, b);
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

    @JCStressTest
    @Description("Real StackTable: one id per stack per generation, dumped once.")
    @Outcome(id = OK, expect = ACCEPTABLE, desc = "Both writers got the id the dump lists.")
    @Outcome(expect = FORBIDDEN, desc = "Two ids for one stack, or a dump that lists it twice or never.")
    @State
    public static class Stacks {
        final StackTable table = new StackTable();
        long a;
        long b;

        @Actor
        public void writer1() {
            a = table.put(stack()); // equal, not identical stacks
        }

        @Actor
        public void writer2() {
            b = table.put(stack());
        }

        @Arbiter
        public void arbiter(L_Result r) {
            r.r1 = judgeStacks(table, a, b);
        }
    }

    /** Broken: dedup by get-then-put instead of putIfAbsent. */
    static final class RacyStackTable extends StackTable {
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

    @JCStressTest
    @Description("Broken control: get-then-put dedup; must show two ids for one stack.")
    @Outcome(id = OK, expect = ACCEPTABLE, desc = "Both writers got the id the dump lists.")
    @Outcome(expect = FORBIDDEN, desc = "Two ids for one stack, or a dump that lists it twice or never.")
    @State
    public static class BrokenStacks {
        final StackTable table = new RacyStackTable();
        long a;
        long b;

        @Actor
        public void writer1() {
            a = table.put(stack());
        }

        @Actor
        public void writer2() {
            b = table.put(stack());
        }

        @Arbiter
        public void arbiter(L_Result r) {
            r.r1 = judgeStacks(table, a, b);
        }
    }
}

package dev.loomtracer.analysis;

import dev.loomtracer.parse.LongMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Attributes the time of blocks that carry no stack (sampled out: {@code stacks=on-block} writes
 * one block's stack in 16, chosen at random) to the stacks of blocks with the same reason, in
 * proportion to those blocks' time: first among the same thread's blocks (a thread that blocks
 * over and over mostly does so at the same few sites), when the thread ends; else among every
 * thread's, when the analysis ends. Random sampling makes each stack's sampled time an unbiased
 * share of its reason's time, so the estimate converges on the truth as blocks add up; what it
 * cannot do is name a site none of whose blocks was sampled.
 *
 * <p>Invariant: the time added to stacks plus the time left unattributed equals the time of the
 * blocks without a stack; a block is only ever attributed to a stack of its own reason; memory is
 * bounded by the live threads and the distinct (reason, stack) pairs, the latter capped; a
 * thread's own blocks hang on its {@link ThreadInfo} from its first block to its end.
 */
final class StackShares {
    /** Blocks without a stack: how many, and of their time what went to stacks and what to none. */
    record Unattributed(long withoutStackCount, long estimatedNanos, long unattributedNanos) {}

    /** Per reason: each stack's time, or the time still to attribute. */
    private static final class ByReason {
        final Map<String, Map<Analyzer.StackAcc, long[]>> sampled = new HashMap<>();
        final Map<String, long[]> unsampled = new HashMap<>();
    }

    /**
     * One thread's blocks, kept on its {@link ThreadInfo} (so a block finds them without a lookup):
     * its sampled ones by reason (made at its first), and its stack-less time by reason, in a short
     * list searched by identity first (a reason is one string of its generation's table).
     */
    static final class OfThread {
        private final Map<String, Map<Analyzer.StackAcc, long[]>> sampled = new HashMap<>();
        private String[] reasons = new String[2];
        private long[] nanos = new long[2];
        private int n;

        void addUnsampled(String reason, long d) {
            for (int i = 0; i < n; i++) {
                if (reasons[i] == reason) {
                    nanos[i] += d;
                    return;
                }
            }
            for (int i = 0; i < n; i++) {
                if (reasons[i].equals(reason)) {
                    nanos[i] += d;
                    return;
                }
            }
            if (n == reasons.length) {
                reasons = java.util.Arrays.copyOf(reasons, n * 2);
                nanos = java.util.Arrays.copyOf(nanos, n * 2);
            }
            reasons[n] = reason;
            nanos[n++] = d;
        }
    }

    private final int maxKeys;
    private final LongMap<ThreadInfo> threads = new LongMap<>(); // those with blocks told, for finish
    private final ByReason all = new ByReason();
    private long withoutStack;
    private long estimated;
    private long unattributed;

    StackShares(int maxKeys) {
        this.maxKeys = maxKeys;
    }

    /** A block of {@code nanos} on {@code thread} with {@code reason} carried the stack of {@code row}. */
    void sampled(ThreadInfo thread, String reason, Analyzer.StackAcc row, long nanos) {
        add(of(thread).sampled, reason, row, nanos);
        add(all.sampled, reason, row, nanos);
    }

    /** A block of {@code nanos} on {@code thread} with {@code reason} carried no stack. */
    void unsampled(ThreadInfo thread, String reason, long nanos) {
        withoutStack++;
        of(thread).addUnsampled(reason, nanos);
    }

    /** The thread ended: its stack-less time goes to its own stacks of the same reason, or waits for the end. */
    void threadEnd(ThreadInfo thread) {
        OfThread t = thread.shares;
        if (t == null) {
            return;
        }
        thread.shares = null;
        threads.remove(thread.id(), thread);
        for (int i = 0; i < t.n; i++) {
            String reason = t.reasons[i];
            long nanos = t.nanos[i];
            if (!spread(t.sampled.get(reason), nanos)) {
                all.unsampled.computeIfAbsent(reason, k -> new long[1])[0] += nanos;
            }
        }
    }

    /** Ends the analysis: threads still open, then every thread's stack-less time by reason. */
    Unattributed finish() {
        for (ThreadInfo t : threads.values()) {
            threadEnd(t);
        }
        all.unsampled.forEach((reason, nanos) -> {
            if (!spread(all.sampled.get(reason), nanos[0])) {
                unattributed += nanos[0];
            }
        });
        all.unsampled.clear();
        return new Unattributed(withoutStack, estimated, unattributed);
    }

    private OfThread of(ThreadInfo thread) {
        OfThread t = thread.shares;
        if (t == null) {
            t = new OfThread();
            thread.shares = t;
            threads.put(thread.id(), thread);
        }
        return t;
    }

    private void add(Map<String, Map<Analyzer.StackAcc, long[]>> m, String reason, Analyzer.StackAcc row, long nanos) {
        Map<Analyzer.StackAcc, long[]> rows = m.get(reason);
        if (rows == null) {
            if (m.size() >= maxKeys) {
                return; // this reason's stack-less time stays unattributed rather than guessed
            }
            // In the order the stacks appeared: spread gives its rounding remainder to the last
            // row, and a HashMap of these identity-hashed keys would pick a different one per
            // run, so two analyses of one trace would differ in a few nanoseconds.
            rows = new LinkedHashMap<>();
            m.put(reason, rows);
        }
        long[] acc = rows.get(row);
        if (acc == null) {
            if (rows.size() >= maxKeys) {
                return;
            }
            acc = new long[2];
            rows.put(row, acc);
        }
        acc[0] += nanos;
        acc[1]++;
    }

    /** Spreads {@code nanos} over {@code rows} by their time (by their count if all took 0 ns); false if none. */
    private boolean spread(Map<Analyzer.StackAcc, long[]> rows, long nanos) {
        if (rows == null || rows.isEmpty()) {
            return false;
        }
        long time = 0;
        long count = 0;
        for (long[] a : rows.values()) {
            time += a[0];
            count += a[1];
        }
        boolean byTime = time > 0;
        long left = nanos;
        Analyzer.StackAcc last = null;
        for (Map.Entry<Analyzer.StackAcc, long[]> e : rows.entrySet()) {
            long share = (long) ((double) nanos * (byTime ? e.getValue()[0] : e.getValue()[1]) / (byTime ? time : count));
            share = Math.min(share, left);
            e.getKey().total += share;
            e.getKey().estimated += share;
            left -= share;
            last = e.getKey();
        }
        last.total += left; // rounding
        last.estimated += left;
        estimated += nanos;
        return true;
    }
}

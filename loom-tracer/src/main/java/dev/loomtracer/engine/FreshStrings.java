package dev.loomtracer.engine;

import java.util.Arrays;

/**
 * One M's strings of one generation (by parity) that got a fresh id instead of a lookup in the
 * generation's {@link StringTable}: the names its GoLabels and carrier logs tell. A name is told
 * once per thread and generation and nearly every virtual thread has a name of its own
 * ({@code request-4711}), so looking it up in the shared table only ever missed, and the miss cost
 * two probes of a table of thousands of names whose cache lines both carriers keep taking from
 * each other (docs/PERFORMANCE.md, "Where a traced server's CPU goes"). The format allows it: a
 * strings batch maps ids to strings, and two ids may hold equal strings (Go's parser keys its
 * table by id).
 *
 * <p>Invariant: written only by its M's thread, inside a write of the generation it is for;
 * read and emptied only by the advancer when it dumps that generation's strings, after every
 * write of the generation has ended (the M's seqlock), as the M's buffers are. Each id it holds
 * came from that generation's table ({@link StringTable#freshId}), which charged it.
 */
final class FreshStrings {
    private String[] strings = new String[16];
    private long[] ids = new long[16];
    private int n;

    void add(long id, String s) {
        if (n == strings.length) {
            // Why not a fixed size: a generation of a busy server names thousands of threads per M.
            strings = Arrays.copyOf(strings, n * 2);
            ids = Arrays.copyOf(ids, n * 2);
        }
        strings[n] = s;
        ids[n] = id;
        n++;
    }

    int size() {
        return n;
    }

    /** Writes every entry into the strings batch open on {@code out}, and forgets them. */
    void dumpInto(BatchBuilder out) {
        for (int i = 0; i < n; i++) {
            StringTable.writeEntry(out, ids[i], strings[i]);
        }
        clear();
    }

    /** Forgets every entry (and lets the strings go). */
    void clear() {
        Arrays.fill(strings, 0, n, null);
        n = 0;
        if (strings.length > 4096) {
            strings = new String[16]; // a burst of new threads does not keep its array for ever
            ids = new long[16];
        }
    }
}

package dev.loomtracer.engine;

import java.util.Arrays;

/**
 * One M's memory of the ids its writes got from the current generation's string and stack tables
 * ({@link StringTable}, {@link StackTable}), by the identity of the string or stack: the same few
 * reasons, region and task names and cached stacks recur on every M, and a hit here costs two
 * array loads and a reference compare where the shared table costs a hash-table probe whose
 * cache lines a busy program has mostly evicted between two events (docs/PERFORMANCE.md,
 * "Where a traced server's CPU goes").
 *
 * <p>Invariant: {@link #get} returns an id only for the very object {@link #put} stored it for,
 * and only in the generation it was stored in (a new generation empties the cache: its tables
 * start empty, so the old ids mean nothing there). Direct-mapped: a colliding entry replaces the
 * old one, which only costs a later miss. Used only by the M's own thread inside its writes, so it
 * needs no synchronization; nothing allocates after construction.
 */
final class IdCache {
    /** What {@link #get} answers for an object it does not hold. */
    static final long MISS = -1;
    private static final int SIZE = 256;

    private final Object[] keys = new Object[SIZE];
    private final long[] ids = new long[SIZE];
    private long gen;

    /** The id {@code key} (whose {@code hashCode()} is {@code hash}) was given in generation {@code gen}, or {@link #MISS}. */
    long get(Object key, int hash, long gen) {
        if (gen != this.gen) {
            Arrays.fill(keys, null);
            this.gen = gen;
            return MISS;
        }
        int i = slot(hash);
        return keys[i] == key ? ids[i] : MISS;
    }

    /** Remembers {@code id} for {@code key} in the generation of the last {@link #get}. */
    void put(Object key, int hash, long id) {
        int i = slot(hash);
        keys[i] = key;
        ids[i] = id;
    }

    /** Forgets every entry: the strings and stacks it holds are its session's ({@link TraceWriter#forget}). */
    void clear() {
        Arrays.fill(keys, null);
        gen = 0;
    }

    private static int slot(int hash) {
        return (hash ^ (hash >>> 16)) & (SIZE - 1);
    }
}

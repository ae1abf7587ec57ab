package dev.loomtracer.parse;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * A hash map from {@code long} keys (thread, proc and task ids) to values, without boxing: the
 * parser and the analysis model look such ids up for nearly every event, and a
 * {@code HashMap<Long, V>} spent most of their time boxing keys and chasing nodes (profiled with
 * JFR, docs/PERFORMANCE.md "Analysis throughput"). Open addressing with linear probing; a removal
 * shifts the following entries back, so there are no tombstones.
 *
 * <p>{@link #getRecent} remembers the last two keys it looked up: the parser's ordering and the
 * model look up, for most events, a thread of the event before, and a table probe that misses the
 * CPU's caches costs more than the rest of the lookup (docs/PERFORMANCE.md). The map keeps what it
 * remembers true itself (a put of a remembered key updates it, a removal forgets it), so a caller
 * has nothing to invalidate.
 *
 * <p>Invariant: {@code keys[i]} is meaningful iff {@code vals[i] != null}; every entry is reachable
 * from its home slot without crossing an empty slot; the table is at most half full; a remembered
 * key with a non-null value maps to that value. Not thread-safe; iteration order is unspecified.
 */
public final class LongMap<V> {
    private long[] keys;
    private Object[] vals;
    private int size;
    private int mask;
    // The two keys getRecent found last and their values (null: nothing remembered); which one it replaces next.
    private long recentKey;
    private Object recentVal;
    private long recentKey2;
    private Object recentVal2;
    private boolean recentNext;

    public LongMap() {
        this(16);
    }

    public LongMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(4, expected) * 2 - 1) << 1;
        keys = new long[cap];
        vals = new Object[cap];
        mask = cap - 1;
    }

    private static int hash(long k) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    private int slot(long k) {
        int i = hash(k) & mask;
        while (vals[i] != null && keys[i] != k) {
            i = (i + 1) & mask;
        }
        return i;
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    @SuppressWarnings("unchecked")
    public V get(long k) {
        return (V) vals[slot(k)];
    }

    /**
     * {@link #get}, answered without the table when {@code k} is one of the two keys this method
     * found last (a missing key is not remembered). A hit stores nothing (a reference stored into
     * this long-lived map costs a memory fence under G1), so the two are replaced in turn.
     */
    @SuppressWarnings("unchecked")
    public V getRecent(long k) {
        if (k == recentKey && recentVal != null) {
            return (V) recentVal;
        }
        if (k == recentKey2 && recentVal2 != null) {
            return (V) recentVal2;
        }
        Object v = vals[slot(k)];
        if (v != null) {
            if (recentNext) {
                recentKey2 = k;
                recentVal2 = v;
            } else {
                recentKey = k;
                recentVal = v;
            }
            recentNext = !recentNext;
        }
        return (V) v;
    }

    /** {@code k} now maps to {@code v} (null: to nothing): what {@link #getRecent} remembers follows. */
    private void changed(long k, Object v) {
        if (k == recentKey && recentVal != v) {
            recentVal = v;
        }
        if (k == recentKey2 && recentVal2 != v) {
            recentVal2 = v;
        }
    }

    public boolean containsKey(long k) {
        return vals[slot(k)] != null;
    }

    /** Maps {@code k} to {@code v} (not null); returns the previous value, or null. */
    @SuppressWarnings("unchecked")
    public V put(long k, V v) {
        if (v == null) {
            throw new NullPointerException("null value for key " + k);
        }
        int i = slot(k);
        V old = (V) vals[i];
        keys[i] = k;
        if (old != v) { // (a reference stored only when it changes: G1's write barrier fences)
            vals[i] = v;
        }
        changed(k, v);
        if (old == null && ++size * 2 > vals.length) {
            grow();
        }
        return old;
    }

    /** The value of {@code k}, made by {@code make} and put first if there was none. */
    @SuppressWarnings("unchecked")
    public V computeIfAbsent(long k, LongFunction<? extends V> make) {
        int i = slot(k);
        V v = (V) vals[i];
        if (v == null) {
            v = make.apply(k);
            keys[i] = k;
            vals[i] = v;
            changed(k, v);
            if (++size * 2 > vals.length) {
                grow();
            }
        }
        return v;
    }

    /** Removes {@code k}; returns its value, or null if it had none. */
    @SuppressWarnings("unchecked")
    public V remove(long k) {
        int i = slot(k);
        V old = (V) vals[i];
        if (old != null) {
            removeAt(i);
        }
        return old;
    }

    /** Removes {@code k} if it maps to {@code v} (the same object); returns whether it did. */
    public boolean remove(long k, V v) {
        int i = slot(k);
        if (vals[i] != v || v == null) {
            return false;
        }
        removeAt(i);
        return true;
    }

    private void removeAt(int i) {
        changed(keys[i], null);
        size--;
        // Shift back the entries after i that would no longer be reachable across the hole.
        int hole = i;
        for (int j = (i + 1) & mask; vals[j] != null; j = (j + 1) & mask) {
            int home = hash(keys[j]) & mask;
            boolean movable = hole <= j ? home <= hole || home > j : home <= hole && home > j;
            if (movable) {
                keys[hole] = keys[j];
                vals[hole] = vals[j];
                hole = j;
            }
        }
        vals[hole] = null;
    }

    public void clear() {
        java.util.Arrays.fill(vals, null);
        size = 0;
        recentVal = null;
        recentVal2 = null;
    }

    /** A snapshot of the values. */
    @SuppressWarnings("unchecked")
    public List<V> values() {
        List<V> l = new ArrayList<>(size);
        for (Object v : vals) {
            if (v != null) {
                l.add((V) v);
            }
        }
        return l;
    }

    /** A snapshot of the keys. */
    public long[] keys() {
        long[] out = new long[size];
        int n = 0;
        for (int i = 0; i < vals.length; i++) {
            if (vals[i] != null) {
                out[n++] = keys[i];
            }
        }
        return out;
    }

    private void grow() {
        long[] ok = keys;
        Object[] ov = vals;
        keys = new long[ok.length * 2];
        vals = new Object[ov.length * 2];
        mask = vals.length - 1;
        for (int i = 0; i < ov.length; i++) {
            if (ov[i] != null) {
                int j = slot(ok[i]);
                keys[j] = ok[i];
                vals[j] = ov[i];
            }
        }
    }
}

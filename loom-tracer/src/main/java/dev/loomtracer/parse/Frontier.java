package dev.loomtracer.parse;

import java.util.ArrayList;
import java.util.Comparator;

/**
 * The per-M cursors of a generation in a min-heap by the time of each cursor's next event (Go's
 * {@code heapInsert/heapUpdate/heapRemove} in batchcursor.go).
 *
 * <p>Invariant: {@code get(0)} holds the earliest next event; {@link #sortByTime()} keeps the
 * heap property, so the fallback that tries the other Ms in time order can index it directly.
 */
final class Frontier {
    private final ArrayList<BatchCursor> heap = new ArrayList<>();

    int size() {
        return heap.size();
    }

    boolean isEmpty() {
        return heap.isEmpty();
    }

    BatchCursor get(int i) {
        return heap.get(i);
    }

    void clear() {
        heap.clear();
    }

    void insert(BatchCursor bc) {
        heap.add(bc);
        siftUp(heap.size() - 1);
    }

    /** Restores the heap after the cursor at {@code i} moved to its next event. */
    void update(int i) {
        if (siftUp(i) != i) {
            return;
        }
        siftDown(i);
    }

    void remove(int i) {
        while (i > 0) {
            swap((i - 1) / 2, i);
            i = (i - 1) / 2;
        }
        swap(0, heap.size() - 1);
        heap.remove(heap.size() - 1);
        siftDown(0);
    }

    void sortByTime() {
        heap.sort(Comparator.comparingLong(bc -> bc.ev.time));
    }

    private int siftUp(int i) {
        while (i > 0 && heap.get((i - 1) / 2).ev.time > heap.get(i).ev.time) {
            swap((i - 1) / 2, i);
            i = (i - 1) / 2;
        }
        return i;
    }

    private void siftDown(int i) {
        for (;;) {
            int m = min3(i, 2 * i + 1, 2 * i + 2);
            if (m == i) {
                return;
            }
            swap(i, m);
            i = m;
        }
    }

    private int min3(int i0, int i1, int i2) {
        int minIdx = i0;
        long minT = Long.MAX_VALUE;
        if (i0 < heap.size()) {
            minT = heap.get(i0).ev.time;
        }
        if (i1 < heap.size() && heap.get(i1).ev.time < minT) {
            minT = heap.get(i1).ev.time;
            minIdx = i1;
        }
        if (i2 < heap.size() && heap.get(i2).ev.time < minT) {
            minIdx = i2;
        }
        return minIdx;
    }

    private void swap(int a, int b) {
        BatchCursor t = heap.get(a);
        heap.set(a, heap.get(b));
        heap.set(b, t);
    }

    /** One line per cursor, for "failed to advance" errors. */
    String dump() {
        StringBuilder sb = new StringBuilder();
        for (BatchCursor bc : heap) {
            sb.append("\n  M ").append(bc.m).append(" [").append(EventSpec.name(bc.ev.type))
                    .append(" time=").append(bc.ev.time).append(" at byte ").append(bc.ev.offset);
            for (int i = 0; i < bc.ev.argCount; i++) {
                sb.append(' ').append(bc.ev.args[i]);
            }
            sb.append(']');
        }
        return sb.toString();
    }
}

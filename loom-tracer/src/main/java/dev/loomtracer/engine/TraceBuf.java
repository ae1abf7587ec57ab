package dev.loomtracer.engine;

import dev.loomtracer.format.BatchLayout;
import dev.loomtracer.format.Uvarint;

import java.nio.ByteBuffer;

/**
 * tracebuf: one batch under construction.
 *
 * <p>Invariant: the bytes from {@link #HEADER_RESERVE} to {@code pos} are whole events of one
 * generation, written by one M in timestamp order, and never more than the format's 64 KiB batch
 * payload. The batch header is written in front of the payload only when the batch is finished,
 * so a buffer is written by exactly one thread at a time and needs no synchronization of its own:
 * hand-offs between threads go through the trace lock or a writer's sequence counter.
 */
final class TraceBuf {
    /** Room in front of the payload for the largest batch header ({@link BatchLayout}). */
    static final int HEADER_RESERVE = BatchLayout.MAX_HEADER;
    /** Capacity of a pooled buffer: a full-size batch. */
    static final int STANDARD_PAYLOAD = BatchLayout.MAX_PAYLOAD;

    final byte[] arr;
    /** {@code arr.length}, kept here so that the room check of every operation reads no array header. */
    private final int capacity;
    int pos;
    long gen;
    long mid;
    private long batchTs;
    long lastTs;
    private int start;
    /** Link in the empty pool or a full queue; owned by whoever holds the trace lock (before a buffer is queued, by its sole owner). */
    TraceBuf link;

    TraceBuf(int payload) {
        arr = new byte[HEADER_RESERVE + payload];
        capacity = arr.length;
    }

    boolean isStandard() {
        return capacity == HEADER_RESERVE + STANDARD_PAYLOAD;
    }

    void reset(long gen, long mid, long ts) {
        this.gen = gen;
        this.mid = mid;
        this.batchTs = ts;
        this.lastTs = ts;
        this.pos = HEADER_RESERVE;
        this.start = -1;
        this.link = null;
    }

    int remaining() {
        return capacity - pos;
    }

    boolean isEmpty() {
        return pos == HEADER_RESERVE;
    }

    void putByte(int b) {
        arr[pos++] = (byte) b;
    }

    void varint(long v) {
        pos = Uvarint.put(arr, pos, v);
    }

    /**
     * Writes {@code s}'s characters, one byte each, if they are all ASCII (then they are its UTF-8
     * bytes) and returns true; otherwise writes nothing and returns false. Allocates nothing.
     */
    boolean ascii(String s) {
        int n = s.length();
        int p = pos;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                return false;
            }
            arr[p + i] = (byte) c;
        }
        pos = p + n;
        return true;
    }

    void bytes(byte[] b, int len) {
        System.arraycopy(b, 0, arr, pos, len);
        pos += len;
    }

    /** Starts a timed event: its type and the delta from the previous event of this batch. */
    void event(int type, long ts) {
        long dt = ts - lastTs;
        if (dt < 0) {
            dt = 0; // nanoTime is monotonic; this only guards against a caller's stale reading
        } else {
            lastTs = ts;
        }
        arr[pos++] = (byte) type;
        pos = Uvarint.put(arr, pos, dt);
    }

    /** Writes the batch header in front of the payload; afterwards {@link #view()} is the batch. */
    void finish() {
        int size = pos - HEADER_RESERVE;
        start = HEADER_RESERVE - BatchLayout.headerLength(gen, mid, batchTs, size);
        BatchLayout.putHeader(arr, start, gen, mid, batchTs, size);
    }

    boolean isFinished() {
        return start >= 0;
    }

    int batchLength() {
        return pos - start;
    }

    ByteBuffer view() {
        return ByteBuffer.wrap(arr, start, pos - start).slice().asReadOnlyBuffer();
    }
}

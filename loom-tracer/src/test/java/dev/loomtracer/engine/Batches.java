package dev.loomtracer.engine;

import dev.loomtracer.format.BatchLayout;
import dev.loomtracer.format.EventType;
import dev.loomtracer.format.Uvarint;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Decodes finished batches ({@link TraceBuf#view()}) for the jcstress arbiters. */
final class Batches {
    private Batches() {}

    /** A finished batch: its header fields and its payload as the reader would hand it out. */
    record Batch(long gen, long mid, long declaredSize, byte[] payload) {
        /** The header's size matches the bytes the reader gets: nothing was written after the batch was finished. */
        boolean consistent() {
            return declaredSize == payload.length;
        }
    }

    static Batch decode(TraceBuf b) {
        ByteBuffer v = b.view();
        byte[] a = new byte[v.remaining()];
        v.get(a);
        long[] h = new long[BatchLayout.FIELDS];
        int p = BatchLayout.readHeader(a, 0, a.length, h);
        if (p < 0 || h[BatchLayout.KIND] != EventType.EVENT_BATCH) {
            throw new IllegalStateException(p == BatchLayout.NOT_A_BATCH ? "not a batch" : "bad batch header");
        }
        byte[] payload = new byte[a.length - p];
        System.arraycopy(a, p, payload, 0, payload.length);
        return new Batch(h[BatchLayout.GEN], h[BatchLayout.M], h[BatchLayout.SIZE], payload);
    }

    /** One entry of a strings batch. */
    record StringEntry(long id, String value) {}

    /** The entries of the strings batches among {@code bufs}. */
    static List<StringEntry> strings(List<TraceBuf> bufs) {
        List<StringEntry> out = new ArrayList<>();
        long[] x = new long[1];
        for (TraceBuf tb : bufs) {
            byte[] a = decode(tb).payload();
            if (a.length == 0 || a[0] != EventType.STRINGS) {
                continue;
            }
            int p = 1;
            while (p < a.length) {
                if (a[p++] != EventType.STRING) {
                    throw new IllegalStateException("not a string entry");
                }
                p = Uvarint.read(a, p, a.length, x);
                long id = x[0];
                p = Uvarint.read(a, p, a.length, x);
                int len = (int) x[0];
                out.add(new StringEntry(id, new String(a, p, len, StandardCharsets.UTF_8)));
                p += len;
            }
        }
        return out;
    }

    /** One entry of a stacks batch: its id and its frames' function string ids. */
    record StackEntry(long id, long[] functionIds) {}

    static List<StackEntry> stacks(List<TraceBuf> bufs) {
        List<StackEntry> out = new ArrayList<>();
        long[] x = new long[1];
        for (TraceBuf tb : bufs) {
            byte[] a = decode(tb).payload();
            if (a.length == 0 || a[0] != EventType.STACKS) {
                continue;
            }
            int p = 1;
            while (p < a.length) {
                if (a[p++] != EventType.STACK) {
                    throw new IllegalStateException("not a stack entry");
                }
                p = Uvarint.read(a, p, a.length, x);
                long id = x[0];
                p = Uvarint.read(a, p, a.length, x);
                int depth = (int) x[0];
                long[] fns = new long[depth];
                for (int i = 0; i < depth; i++) {
                    p = Uvarint.read(a, p, a.length, x); // pc
                    p = Uvarint.read(a, p, a.length, x); // function
                    fns[i] = x[0];
                    p = Uvarint.read(a, p, a.length, x); // file
                    p = Uvarint.read(a, p, a.length, x); // line
                }
                out.add(new StackEntry(id, fns));
            }
        }
        return out;
    }

    /** Takes every queued full buffer of {@code gen} from the tracer's pool, under the trace lock. */
    static List<TraceBuf> drainFull(Tracer t, long gen) {
        List<TraceBuf> out = new ArrayList<>();
        t.lock.lock();
        try {
            for (TraceBuf b; (b = t.pool.dequeueFull(gen)) != null; ) {
                out.add(b);
            }
        } finally {
            t.lock.unlock();
        }
        return out;
    }

    static boolean containsIdentity(List<TraceBuf> bufs, TraceBuf b) {
        for (TraceBuf x : bufs) {
            if (x == b) {
                return true;
            }
        }
        return false;
    }
}

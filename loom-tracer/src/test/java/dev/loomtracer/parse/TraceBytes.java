package dev.loomtracer.parse;

import dev.loomtracer.format.BatchLayout;
import dev.loomtracer.format.EventType;
import dev.loomtracer.format.Uvarint;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Test surgery on trace bytes: split a (valid) trace into batches and events, change them, and
 * write them back with correct batch sizes. Independent of the parser under test except for the
 * shared format constants.
 */
final class TraceBytes {
    private TraceBytes() {}

    /** A batch: header fields and payload. {@code kind} is EVENT_BATCH or EXPERIMENTAL_BATCH. */
    record RawBatch(long offset, int headerSize, int kind, int exp, long gen, long m, long ts, byte[] data) {
        int first() {
            return data.length == 0 ? -1 : data[0] & 0xFF;
        }

        boolean isEvents() {
            int f = first();
            return kind == EventType.EVENT_BATCH && f != EventType.STACKS && f != EventType.STRINGS
                    && f != EventType.CPU_SAMPLES && f != EventType.FREQUENCY;
        }

        RawBatch withData(byte[] d) {
            return new RawBatch(offset, headerSize, kind, exp, gen, m, ts, d);
        }

        /** Offset just past this batch in the trace it was read from. */
        long end() {
            return offset + headerSize + data.length;
        }
    }

    /** A timed event: type and all its arguments, timestamp delta first. */
    record RawEvent(int type, long[] args) {
        RawEvent withArg(int i, long v) {
            long[] a = args.clone();
            a[i] = v;
            return new RawEvent(type, a);
        }
    }

    static List<RawBatch> batches(byte[] trace) {
        List<RawBatch> out = new ArrayList<>();
        long[] v = new long[1];
        int pos = BatchLayout.FILE_HEADER.length;
        while (pos < trace.length) {
            int start = pos;
            int kind = trace[pos++] & 0xFF;
            int exp = 0;
            if (kind == EventType.EXPERIMENTAL_BATCH) {
                exp = trace[pos++] & 0xFF;
            } else if (kind != EventType.EVENT_BATCH) {
                throw new IllegalArgumentException("not a batch at " + start);
            }
            long[] h = new long[4];
            for (int i = 0; i < 4; i++) {
                pos = Uvarint.read(trace, pos, trace.length, v);
                h[i] = v[0];
            }
            byte[] data = Arrays.copyOfRange(trace, pos, pos + (int) h[3]);
            pos += (int) h[3];
            out.add(new RawBatch(start, pos - start - (int) h[3], kind, exp, h[0], h[1], h[2], data));
        }
        return out;
    }

    static byte[] write(byte[] header, List<RawBatch> batches) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(Arrays.copyOf(header, BatchLayout.FILE_HEADER.length));
        byte[] buf = new byte[64];
        for (RawBatch b : batches) {
            int n = 0;
            buf[n++] = (byte) b.kind;
            if (b.kind == EventType.EXPERIMENTAL_BATCH) {
                buf[n++] = (byte) b.exp;
            }
            n = Uvarint.put(buf, n, b.gen);
            n = Uvarint.put(buf, n, b.m);
            n = Uvarint.put(buf, n, b.ts);
            n = Uvarint.put(buf, n, b.data.length);
            out.write(buf, 0, n);
            out.writeBytes(b.data);
        }
        return out.toByteArray();
    }

    static List<RawEvent> events(RawBatch b) {
        List<RawEvent> out = new ArrayList<>();
        long[] v = new long[1];
        byte[] d = b.data;
        int pos = 0;
        while (pos < d.length) {
            int type = d[pos++] & 0xFF;
            long[] args = new long[EventType.argCount(type)];
            for (int i = 0; i < args.length; i++) {
                pos = Uvarint.read(d, pos, d.length, v);
                args[i] = v[0];
            }
            out.add(new RawEvent(type, args));
        }
        return out;
    }

    static byte[] encode(List<RawEvent> events) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1 + 5 * Uvarint.MAX_BYTES];
        for (RawEvent e : events) {
            int n = 0;
            buf[n++] = (byte) e.type;
            for (long a : e.args) {
                n = Uvarint.put(buf, n, a);
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    /**
     * Rewrites a trace (re-encoding batch headers minimally) into the layout our writer uses: within each generation, the event batches
     * first (in their order), then CPU samples, stacks, strings, and the frequency batch last.
     */
    static byte[] writerLayout(byte[] trace) {
        List<RawBatch> all = batches(trace);
        List<RawBatch> out = new ArrayList<>();
        int i = 0;
        while (i < all.size()) {
            long gen = all.get(i).gen;
            List<RawBatch> events = new ArrayList<>();
            List<RawBatch> cpu = new ArrayList<>();
            List<RawBatch> stacks = new ArrayList<>();
            List<RawBatch> strings = new ArrayList<>();
            List<RawBatch> freq = new ArrayList<>();
            for (; i < all.size() && all.get(i).gen == gen; i++) {
                RawBatch b = all.get(i);
                switch (b.kind == EventType.EVENT_BATCH ? b.first() : -1) {
                    case EventType.CPU_SAMPLES -> cpu.add(b);
                    case EventType.STACKS -> stacks.add(b);
                    case EventType.STRINGS -> strings.add(b);
                    case EventType.FREQUENCY -> freq.add(b);
                    default -> events.add(b);
                }
            }
            out.addAll(events);
            out.addAll(cpu);
            out.addAll(stacks);
            out.addAll(strings);
            out.addAll(freq);
        }
        return write(trace, out);
    }
}

package dev.loomtracer.parse;

import dev.loomtracer.format.EventType;
import dev.loomtracer.format.Uvarint;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes the structural batches of a generation into its tables: strings, stacks, CPU samples and
 * the frequency (Go's {@code addStrings}, {@code addStacks}, {@code addCPUSamples},
 * {@code parseFreq}, {@code validateStackStrings}).
 *
 * <p>Invariant: a table gets an entry only from a well-formed record, an id is never defined twice
 * in a generation, and after {@link #finish} every stack frame's function and file strings exist.
 */
final class TableBatches {
    private final Generation g;
    private final Batch b;
    private final long[] v = new long[1];
    private int pos;

    private TableBatches(Generation g, Batch b) {
        this.g = g;
        this.b = b;
        this.pos = 1; // past the batch kind byte
    }

    /** Adds a structural batch to the generation, or files an event batch under its M. */
    static void add(Generation g, Batch b) throws TraceFormatException {
        g.batchCount++;
        g.endOffset = Math.max(g.endOffset, b.end());
        if (b.isStrings()) {
            new TableBatches(g, b).strings();
        } else if (b.isStacks()) {
            new TableBatches(g, b).stacks();
        } else if (b.isCpuSamples()) {
            new TableBatches(g, b).cpuSamples();
        } else if (b.isFrequency()) {
            new TableBatches(g, b).frequency();
        } else if (b.isExperimental()) {
            g.experimentalBatches++; // Unvalidated extra data: Go hands it to experiments; we skip it.
        } else if (b.data().length > 0) {
            // An empty event batch tells nothing: not kept, so memory follows content (issue 11:
            // millions of them in one generation cost gigabytes).
            if (++g.eventBatches > Generation.MAX_EVENT_BATCHES) {
                throw TraceFormatException.invalid(g.number, b.offset(), "generation " + g.number + " has more than "
                        + Generation.MAX_EVENT_BATCHES + " event batches, the parser's limit per generation"
                        + " (docs/FORMAT.md, \"Limits\")");
            }
            g.batches.computeIfAbsent(b.m(), k -> new ArrayList<>()).add(b);
        }
    }

    private TraceFormatException error(String detail) {
        return TraceFormatException.invalid(g.number, b.dataOffset() + pos, detail);
    }

    private long uvarint(String what) throws TraceFormatException {
        int next = Uvarint.read(b.data(), pos, b.data().length, v);
        if (next < 0) {
            throw error((next == -1 ? "batch ends inside " : "overflowing uvarint for ") + what);
        }
        pos = next;
        return v[0];
    }

    private int type(int expected) throws TraceFormatException {
        int t = b.data()[pos] & 0xFF;
        if (t != expected) {
            throw error("expected " + EventType.name(expected) + " event, got " + EventType.name(t));
        }
        return pos++;
    }

    private void strings() throws TraceFormatException {
        byte[] d = b.data();
        while (pos < d.length) {
            type(EventType.STRING);
            long id = uvarint("string id");
            long len = uvarint("string length");
            if (Long.compareUnsigned(len, EventType.MAX_STRING_SIZE) > 0) {
                throw error("invalid string size " + Long.toUnsignedString(len) + ", maximum is "
                        + EventType.MAX_STRING_SIZE);
            }
            if (d.length - pos < len) {
                throw error("failed to read full string " + id + ": read " + (d.length - pos)
                        + " but wanted " + len);
            }
            String s = new String(d, pos, (int) len, StandardCharsets.UTF_8);
            pos += (int) len;
            if (id == 0 || g.strings.containsKey(id) || g.strings.put(id, s) != null) {
                throw error("multiple strings with the same ID: id=" + id);
            }
        }
    }

    private void stacks() throws TraceFormatException {
        byte[] d = b.data();
        while (pos < d.length) {
            type(EventType.STACK);
            long id = uvarint("stack id");
            long n = uvarint("stack " + id + " frame count");
            if (Long.compareUnsigned(n, EventType.MAX_FRAMES_PER_STACK) > 0) {
                throw error("invalid stack size " + Long.toUnsignedString(n) + ", maximum is "
                        + EventType.MAX_FRAMES_PER_STACK);
            }
            long[] framePcs = new long[(int) n];
            for (int i = 0; i < n; i++) {
                long pc = uvarint("frame " + (i + 1) + "'s PC for stack " + id);
                long func = uvarint("frame " + (i + 1) + "'s funcID for stack " + id);
                long file = uvarint("frame " + (i + 1) + "'s fileID for stack " + id);
                long line = uvarint("frame " + (i + 1) + "'s line for stack " + id);
                framePcs[i] = pc;
                // Go keys frames by PC: the first frame seen for a PC wins for the whole generation.
                g.pcs.putIfAbsent(pc, new long[] {func, file, line});
            }
            if (id == 0 || g.stackPcs.putIfAbsent(id, framePcs) != null) {
                throw error("multiple stacks with the same ID: id=" + id);
            }
        }
    }

    private void cpuSamples() throws TraceFormatException {
        byte[] d = b.data();
        while (pos < d.length) {
            long at = b.dataOffset() + pos;
            type(EventType.CPU_SAMPLE);
            long ts = uvarint("CPU sample timestamp");
            long m = uvarint("CPU sample M");
            long p = uvarint("CPU sample P");
            long gid = uvarint("CPU sample G");
            long stack = uvarint("CPU sample stack");
            // The timestamp stays in ticks until the frequency is known.
            g.cpuSamples.add(new CpuSample(ts, m, p, gid == 0 ? -1 : gid, stack, at));
        }
    }

    private void frequency() throws TraceFormatException {
        long f = uvarint("frequency");
        if (g.hasFrequency) {
            throw error("found multiple frequency events");
        }
        g.hasFrequency = true;
        g.ticksPerSecond = f;
        g.nsPerTick = 1.0 / (Generation.unsignedToDouble(f) / 1e9);
    }

    /**
     * Completes a generation once all its batches are in: resolves every stack (checking that
     * each frame's function and file strings exist) and converts CPU sample times to nanoseconds.
     */
    static void finish(Generation g) throws TraceFormatException {
        Map<Long, Frame> frames = new HashMap<>();
        for (var e : g.stackPcs.entrySet()) {
            long id = e.getKey();
            List<Frame> list = new ArrayList<>(e.getValue().length);
            for (long pc : e.getValue()) {
                Frame f = frames.get(pc);
                if (f == null) {
                    long[] raw = g.pcs.get(pc);
                    String func = g.string(raw[0]);
                    if (func == null) {
                        throw TraceFormatException.invalid(g.number, -1,
                                "found invalid func string ID " + raw[0] + " for stack " + id);
                    }
                    String file = g.string(raw[1]);
                    if (file == null) {
                        throw TraceFormatException.invalid(g.number, -1,
                                "found invalid file string ID " + raw[1] + " for stack " + id);
                    }
                    f = new Frame(pc, func, file, raw[2]);
                    frames.put(pc, f);
                }
                list.add(f);
            }
            g.stacks.put(id, new ParsedStack(id, list));
        }
        g.pcs.clear();
        g.stackPcs.clear();
        List<CpuSample> samples = new ArrayList<>(g.cpuSamples.size());
        for (CpuSample s : g.cpuSamples) {
            samples.add(new CpuSample(g.ticksToNanos(s.time()), s.m(), s.p(), s.g(), s.stack(), s.offset()));
        }
        samples.sort(Comparator.comparingLong(CpuSample::time));
        g.cpuSamples.clear();
        g.cpuSamples.addAll(samples);
    }
}

package dev.loomtracer.jfr.imports;

import dev.loomtracer.format.BatchLayout;
import static dev.loomtracer.format.EventType.*;

import dev.loomtracer.format.EventType;
import dev.loomtracer.jfr.model.ClockLog;
import dev.loomtracer.jfr.model.Episode;
import dev.loomtracer.jfr.model.ModelEpisodes;
import dev.loomtracer.jfr.raw.BatchFramer;
import dev.loomtracer.jfr.raw.GenerationCollector;
import dev.loomtracer.jfr.raw.RawBatch;
import dev.loomtracer.jfr.raw.RawGeneration;
import dev.loomtracer.parse.TraceEvent;
import dev.loomtracer.parse.TraceFormatException;
import dev.loomtracer.parse.TraceParser;
import dev.loomtracer.parse.TraceSummary;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Merges a JFR recording's CPU samples ({@code jdk.ExecutionSample}) and GC activity
 * ({@code jdk.GarbageCollection}, {@code jdk.GCPhasePause}) into a trace of the same run, after
 * the fact: each item goes into the generation whose time span holds it, as a CPUSample in a
 * CPUSamples batch (with its stack in the generation's tables) or as GC and stop-the-world ranges
 * on a synthetic "JFR GC" thread. Nothing here touches the tracer (no trace lock, Go CL 496296): the
 * recording is read, then the trace file is rewritten batch by batch.
 *
 * <p>Clock: a JFR time maps to trace time through the trace's clock log (which the engine and
 * {@link JfrImport} write) - exactly, when the recording holds the matching
 * {@code dev.loomtracer.ClockSync} event (same System.nanoTime() value); by wall clock otherwise.
 *
 * <p>Attribution: a sample's G is the sampled thread's id (a virtual thread is its own G); its M
 * and P are the carrier and slot the trace shows that thread running on at that time, or none.
 *
 * <p>Invariants: the original batches are copied unchanged and in order; new table entries get
 * ids above the generation's largest; a sample's frame keeps one PC for the whole merged trace,
 * above every PC of the trace ({@link #SAMPLE_PC_BASE} or more), so a PC names one frame in the
 * whole trace (docs/FORMAT.md, "PCs"); a GC or pause range never crosses a generation
 * boundary (it is clipped at the boundary, and counted); the output is validated with the
 * project's parser before it replaces {@code out}; items outside the trace's time span are
 * dropped and counted.
 */
public final class JfrMerger {
    private JfrMerger() {}

    /** Synthetic ids of the thread that carries GC ranges (engine ids stop at Long.MAX_VALUE - 2). */
    public static final long GC_M = Long.MAX_VALUE - 16;
    public static final long GC_G = Long.MAX_VALUE - 17;
    /** The synthetic P of that thread (engine P ids count up from 0). */
    public static final long GC_P = 1L << 30;
    /** The lowest first PC of the samples' frames: above any user-space address and any PC the engine hands out. */
    static final long SAMPLE_PC_BASE = 1L << 62;

    /** What a merge did. */
    public record Result(long samples, long samplesOnCarrier, long samplesDropped, long collections,
                         long pauses, long clipped, long gcSkipped, String clock, long events) {}

    private record Span(long gen, long minTicks, long maxTicks, double nsPerTick) {}

    private record Run(long start, long end, long m, long p) {}

    /** Merges {@code jfr} into {@code trace}, writing {@code out} (replaced atomically). */
    public static Result merge(Path trace, Path jfr, Path out) throws IOException {
        JfrData data = JfrData.read(jfr, EventType.MAX_FRAMES_PER_STACK);

        // Pass 1: the trace's facts (runs of the sampled threads, the clock log, its own GC events).
        Set<Long> sampled = new HashSet<>();
        for (JfrData.Sample s : data.samples()) {
            sampled.add(s.threadId());
        }
        Map<Long, List<Run>> runs = new HashMap<>();
        List<ClockLog> clocks = new ArrayList<>();
        boolean[] traceHasGc = new boolean[1];
        ModelEpisodes b = new ModelEpisodes(e -> {
            if (e instanceof Episode.Run r && sampled.contains(r.thread())) {
                runs.computeIfAbsent(r.thread(), k -> new ArrayList<>()).add(new Run(r.start(), r.end(), r.carrier(), r.proc()));
            } else if (e instanceof Episode.Log l) {
                ClockLog c = ClockLog.of(l);
                if (c != null) {
                    clocks.add(c);
                }
            }
        });
        try (TraceParser p = TraceParser.open(trace)) {
            for (TraceEvent e; (e = p.next()) != null; ) {
                if (!e.isSync()) {
                    b.accept(e);
                    int t = e.type();
                    traceHasGc[0] |= t == GC_BEGIN || t == GC_ACTIVE || t == STW_BEGIN;
                }
            }
        }
        b.finish(b.lastTime());
        for (List<Run> l : runs.values()) {
            l.sort(Comparator.comparingLong(Run::start));
        }
        if (clocks.isEmpty()) {
            throw new IOException(trace + ": the trace has no clock log (category " + ClockLog.CATEGORY + "), so its time cannot"
                    + " be matched to the recording's; record with this engine or JfrImport, which write one");
        }
        // Prefer an anchor the recording has a clock sync for (the importer's own log): exact.
        // Else the first (every generation of an engine-written trace has one), by wall clock.
        ClockLog c = clocks.stream()
                .filter(x -> data.syncs().stream().anyMatch(s -> s.nanoTime() == x.nanoTime()))
                .findFirst().orElse(clocks.getFirst());
        String clockSource;
        long epochToTraceOffset; // traceNs = epochNs + offset
        JfrData.ClockSync sync = data.syncs().stream().filter(s -> s.nanoTime() == c.nanoTime()).findFirst().orElse(null);
        if (sync != null) {
            // JFR's own time of the moment whose trace time the log recorded.
            epochToTraceOffset = c.traceNanos() - sync.epochNanos();
            clockSource = "clock log + JFR clock sync";
        } else {
            epochToTraceOffset = c.traceNanos() - c.epochNanos();
            clockSource = "clock log (wall clock)";
        }

        // Pass 2: the generations' spans.
        List<Span> spans = new ArrayList<>();
        long[] traceMaxPc = {0};
        try (InputStream in = new BufferedInputStream(Files.newInputStream(trace), 1 << 16)) {
            GenerationCollector gc = new GenerationCollector(g -> {
                if (Long.compareUnsigned(g.maxPc(), traceMaxPc[0]) > 0) {
                    traceMaxPc[0] = g.maxPc();
                }
                if (g.minTicks() != Long.MAX_VALUE && g.hasFrequency()) {
                    spans.add(new Span(g.number(), g.minTicks(), g.maxTicks(), g.nsPerTick()));
                }
            }, false);
            BatchFramer.frameAll(in, gc);
            gc.finish();
        }
        if (spans.isEmpty()) {
            throw new IOException(trace + ": the trace has no events to merge into");
        }
        // Above every PC of the trace (an already merged trace has some from SAMPLE_PC_BASE up).
        long samplePcBase = Long.compareUnsigned(traceMaxPc[0], SAMPLE_PC_BASE) < 0 ? SAMPLE_PC_BASE : traceMaxPc[0] + 0x1000;
        if (Long.compareUnsigned(samplePcBase, traceMaxPc[0]) <= 0) {
            throw new IOException("the trace's PCs reach 0x" + Long.toHexString(traceMaxPc[0]) + ": no PC is left for the samples' frames");
        }

        // Place every item in a generation.
        Map<Long, List<JfrData.Sample>> samplesByGen = new TreeMap<>();
        Map<Long, List<long[]>> gcByGen = new TreeMap<>();       // {startTicks, endTicks, kind=0 gc / 1 pause, nameIdx}
        List<String> names = new ArrayList<>();
        long[] counters = new long[4]; // dropped samples, clipped, collections, pauses
        for (JfrData.Sample s : data.samples()) {
            long ns = s.epochNanos() + epochToTraceOffset;
            Span sp = spanOf(spans, ticks(ns, spans.getFirst()));
            if (sp == null) {
                counters[0]++;
                continue;
            }
            samplesByGen.computeIfAbsent(sp.gen(), k -> new ArrayList<>()).add(s);
        }
        long gcSkipped = 0;
        if (traceHasGc[0]) {
            gcSkipped = data.collections().size() + data.pauses().size();
        } else {
            placeRanges(merge(data.collections()), 0, spans, epochToTraceOffset, gcByGen, names, counters);
            placeRanges(merge(data.pauses()), 1, spans, epochToTraceOffset, gcByGen, names, counters);
        }

        // Pass 3: copy the trace, adding the new batches to each generation.
        Path tmp = Files.createTempFile(out.toAbsolutePath().getParent(), ".merge-", ".trace");
        long[] onCarrier = new long[1];
        long[] imported = new long[1];
        long[] gcSeq = {0};
        try {
            try (InputStream in = new BufferedInputStream(Files.newInputStream(trace), 1 << 16);
                 OutputStream o = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                o.write(BatchLayout.FILE_HEADER);
                Map<Long, Span> spanOf = new HashMap<>();
                for (Span s : spans) {
                    spanOf.put(s.gen(), s);
                }
                Map<JfrData.Frame, Long> samplePcs = new HashMap<>();
                long[] nextSamplePc = {samplePcBase};
                GenerationCollector gc = new GenerationCollector(g -> {
                    RawBatch freq = null;
                    for (RawBatch rb : g.batches()) {
                        if (rb.isFrequency()) {
                            freq = rb;
                        } else {
                            o.write(rb.bytes());
                        }
                    }
                    Span sp = spanOf.get(g.number());
                    if (sp != null) {
                        List<JfrData.Sample> ss = samplesByGen.getOrDefault(g.number(), List.of());
                        long nextString = writeSamples(o, g, sp, ss, runs, epochToTraceOffset, onCarrier, samplePcs, nextSamplePc);
                        imported[0] += ss.size();
                        writeGc(o, g, nextString, gcByGen.getOrDefault(g.number(), List.of()), names, gcSeq);
                    }
                    if (freq != null) {
                        o.write(freq.bytes());
                    }
                }, false);
                String version = BatchFramer.frameAll(in, gc);
                gc.finish();
                if (!"go 1.23".equals(version)) {
                    throw new IOException("only go 1.23 traces can be merged into (this is " + version + ")");
                }
            }
            // The result must be a valid trace.
            TraceSummary check;
            try {
                check = TraceSummary.of(tmp);
            } catch (TraceFormatException e) {
                throw new IOException("internal error: the merged trace is invalid: " + e.getMessage(), e);
            }
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return new Result(imported[0], onCarrier[0], counters[0], counters[2], counters[3], counters[1], gcSkipped,
                    clockSource, check.events());
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static long ticks(long traceNs, Span any) {
        return Math.round(traceNs / any.nsPerTick());
    }

    /** The generation whose span holds {@code ticks}: from its first timestamp to the next one's. */
    private static Span spanOf(List<Span> spans, long ticks) {
        if (ticks < spans.getFirst().minTicks()) {
            return null;
        }
        for (int i = spans.size() - 1; i >= 0; i--) {
            Span s = spans.get(i);
            if (ticks >= s.minTicks()) {
                if (i == spans.size() - 1 && ticks > s.maxTicks()) {
                    return null; // after the trace's last event
                }
                return s;
            }
        }
        return null;
    }

    /** The last tick a range placed in generation {@code s} may reach. */
    private static long limitOf(List<Span> spans, Span s) {
        int i = spans.indexOf(s);
        return i + 1 < spans.size() ? spans.get(i + 1).minTicks() - 1 : s.maxTicks();
    }

    /** Unions overlapping ranges (the Go format has one GC at a time, and no nested pause of one kind). */
    private static List<JfrData.Range> merge(List<JfrData.Range> in) {
        List<JfrData.Range> sorted = new ArrayList<>(in);
        sorted.sort(Comparator.comparingLong(JfrData.Range::startEpochNanos));
        List<JfrData.Range> out = new ArrayList<>();
        for (JfrData.Range r : sorted) {
            if (!out.isEmpty() && r.startEpochNanos() <= out.getLast().endEpochNanos()) {
                JfrData.Range last = out.removeLast();
                out.add(new JfrData.Range(last.startEpochNanos(), Math.max(last.endEpochNanos(), r.endEpochNanos()),
                        last.gcId(), last.name()));
            } else {
                out.add(r);
            }
        }
        return out;
    }

    private static void placeRanges(List<JfrData.Range> ranges, int kind, List<Span> spans, long offset,
                                    Map<Long, List<long[]>> byGen, List<String> names, long[] counters) {
        for (JfrData.Range r : ranges) {
            Span first = spans.getFirst();
            long s = ticks(r.startEpochNanos() + offset, first);
            long e = ticks(r.endEpochNanos() + offset, first);
            Span sp = spanOf(spans, s);
            if (sp == null) {
                continue; // outside the trace
            }
            long limit = limitOf(spans, sp);
            if (e > limit) {
                e = limit;
                counters[1]++;
            }
            int name = names.indexOf(r.name());
            if (name < 0) {
                names.add(r.name());
                name = names.size() - 1;
            }
            byGen.computeIfAbsent(sp.gen(), k -> new ArrayList<>()).add(new long[] {s, Math.max(s, e), kind, name});
            counters[kind == 0 ? 2 : 3]++;
        }
    }

    /** The run of {@code g} that covers trace time {@code ns}, or null. */
    private static Run runAt(Map<Long, List<Run>> runs, long g, long ns) {
        List<Run> l = runs.get(g);
        if (l == null) {
            return null;
        }
        int lo = 0;
        int hi = l.size() - 1;
        Run best = null;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Run r = l.get(mid);
            if (r.start() <= ns) {
                best = r;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return best != null && ns <= best.end() ? best : null;
    }

    /**
     * Strings and stacks batches for the samples' stacks, then the CPUSamples batch. Returns the
     * next free string id of the generation. {@code pcs}: each sample frame's PC, kept across
     * generations; {@code nextPc}: the next free one, above every PC of the trace.
     */
    private static long writeSamples(OutputStream o, RawGeneration g, Span sp, List<JfrData.Sample> samples,
                                     Map<Long, List<Run>> runs, long offset, long[] onCarrier,
                                     Map<JfrData.Frame, Long> pcs, long[] nextPc) throws IOException {
        if (samples.isEmpty()) {
            return g.maxStringId() + 1;
        }
        Map<String, Long> strings = new LinkedHashMap<>();
        Map<List<JfrData.Frame>, Long> stacks = new LinkedHashMap<>();
        long[] nextString = {g.maxStringId() + 1};
        for (JfrData.Sample s : samples) {
            if (!s.frames().isEmpty()) {
                stacks.computeIfAbsent(s.frames(), k -> g.maxStackId() + 1 + stacks.size());
                for (JfrData.Frame f : s.frames()) {
                    pcs.computeIfAbsent(f, k -> {
                        long pc = nextPc[0];
                        nextPc[0] += 4;
                        return pc;
                    });
                    strings.computeIfAbsent(clip(f.function()), k -> nextString[0]++);
                    strings.computeIfAbsent(clip(f.file()), k -> nextString[0]++);
                }
            }
        }
        BatchWriter sw = BatchWriter.tables(o, g.number(), STRINGS);
        for (Map.Entry<String, Long> e : strings.entrySet()) {
            byte[] bytes = e.getKey().getBytes(StandardCharsets.UTF_8);
            sw.u8(STRING).uvarint(e.getValue()).uvarint(bytes.length).bytes(bytes).end();
        }
        sw.flush();
        BatchWriter kw = BatchWriter.tables(o, g.number(), STACKS);
        for (Map.Entry<List<JfrData.Frame>, Long> e : stacks.entrySet()) {
            kw.u8(STACK).uvarint(e.getValue()).uvarint(e.getKey().size());
            for (JfrData.Frame f : e.getKey()) {
                kw.uvarint(pcs.get(f)).uvarint(strings.get(clip(f.function()))).uvarint(strings.get(clip(f.file())))
                        .uvarint(f.line());
            }
            kw.end();
        }
        kw.flush();
        List<JfrData.Sample> sorted = new ArrayList<>(samples);
        sorted.sort(Comparator.comparingLong(JfrData.Sample::epochNanos));
        BatchWriter cw = BatchWriter.tables(o, g.number(), CPU_SAMPLES);
        for (JfrData.Sample s : sorted) {
            long ns = s.epochNanos() + offset;
            long ticks = Math.round(ns / sp.nsPerTick());
            Run r = runAt(runs, s.threadId(), ns);
            long m = r != null ? r.m() : NO_THREAD;
            long p = r != null && r.p() != Episode.NONE ? r.p() : -1;
            if (r != null) {
                onCarrier[0]++;
            }
            long stack = s.frames().isEmpty() ? 0 : stacks.get(s.frames());
            cw.u8(CPU_SAMPLE).uvarint(ticks).uvarint(m).uvarint(p).uvarint(s.threadId()).uvarint(stack).end();
        }
        cw.flush();
        return nextString[0];
    }

    private static String clip(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length <= MAX_STRING_SIZE) {
            return s;
        }
        return new String(Arrays.copyOf(b, MAX_STRING_SIZE - 3), StandardCharsets.UTF_8).replace("\uFFFD", "") + "...";
    }

    /**
     * GC ranges (GCBegin/GCEnd) and pauses (STWBegin/STWEnd) on the synthetic "JFR GC" thread.
     * Go's ordering rules want a running goroutine with a P for them, so the thread has a P of
     * its own: per cluster of overlapping ranges the P starts and the goroutine runs, between
     * clusters both idle; the goroutine exists only in this generation (created, then destroyed).
     */
    /**
     * Ranges of one kind that overlap or touch once rounded to ticks, as one: ranges apart in
     * nanoseconds can share a tick on a coarse clock, and the format allows one GC (and one
     * pause) at a time.
     */
    private static List<long[]> unionInTicks(List<long[]> ranges) {
        List<long[]> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.<long[]>comparingLong(r -> r[2]).thenComparingLong(r -> r[0]));
        List<long[]> out = new ArrayList<>();
        for (long[] r : sorted) {
            long[] last = out.isEmpty() ? null : out.getLast();
            if (last != null && last[2] == r[2] && r[0] <= last[1]) {
                last[1] = Math.max(last[1], r[1]);
            } else {
                out.add(r.clone());
            }
        }
        return out;
    }

    private static void writeGc(OutputStream o, RawGeneration g, long nextString, List<long[]> ranges, List<String> names,
                                long[] gcSeq) throws IOException {
        if (ranges.isEmpty()) {
            return;
        }
        // One string per pause kind, in a strings batch of its own.
        Map<String, Long> strings = new LinkedHashMap<>();
        long next = nextString;
        for (long[] r : ranges) {
            if (r[2] == 1) {
                String kind = clip(names.get((int) r[3]));
                if (!strings.containsKey(kind)) {
                    strings.put(kind, next++);
                }
            }
        }
        if (!strings.isEmpty()) {
            BatchWriter sw = BatchWriter.tables(o, g.number(), STRINGS);
            for (Map.Entry<String, Long> e : strings.entrySet()) {
                byte[] bytes = e.getKey().getBytes(StandardCharsets.UTF_8);
                sw.u8(STRING).uvarint(e.getValue()).uvarint(bytes.length).bytes(bytes).end();
            }
            sw.flush();
        }
        // Edges in time order; at equal times ends of earlier ranges before begins, GC begins before
        // pause begins, and the ends of ranges that begin at that same time (zero ticks long: a coarse
        // clock rounds a short pause to one tick) after them, innermost first.
        List<long[]> edges = new ArrayList<>(); // {ticks, order, kind, nameIdx, isBegin}
        for (long[] r : unionInTicks(ranges)) {
            boolean instant = r[1] == r[0];
            edges.add(new long[] {r[0], r[2] == 0 ? 2 : 3, r[2], r[3], 1});
            edges.add(new long[] {r[1], instant ? (r[2] == 0 ? 5 : 4) : (r[2] == 0 ? 1 : 0), r[2], r[3], 0});
        }
        edges.sort(Comparator.<long[]>comparingLong(x -> x[0]).thenComparingLong(x -> x[1]));
        BatchWriter w = BatchWriter.events(o, g.number(), GC_M);
        long first = edges.getFirst()[0];
        long pseq = 0;
        long gseq = 0;
        w.event(PROC_STATUS, first).uvarint(GC_P).uvarint(dev.loomtracer.format.Status.PROC_IDLE).end();
        long last = first;
        int open = 0;
        boolean created = false;
        for (long[] x : edges) {
            long t = Math.max(x[0], last);
            last = t;
            if (open == 0) { // a cluster begins: the P starts and the goroutine runs
                w.event(PROC_START, t).uvarint(GC_P).uvarint(++pseq).end();
                if (!created) {
                    w.event(GO_CREATE, t).uvarint(GC_G).uvarint(0).uvarint(0).end();
                    created = true;
                }
                w.event(GO_START, t).uvarint(GC_G).uvarint(++gseq).end();
            }
            if (x[2] == 0) {
                gcSeq[0]++;
                if (x[4] == 1) {
                    w.event(GC_BEGIN, t).uvarint(gcSeq[0]).uvarint(0).end();
                } else {
                    w.event(GC_END, t).uvarint(gcSeq[0]).end();
                }
            } else if (x[4] == 1) {
                w.event(STW_BEGIN, t).uvarint(strings.get(clip(names.get((int) x[3])))).uvarint(0).end();
            } else {
                w.event(STW_END, t).end();
            }
            open += x[4] == 1 ? 1 : -1;
            if (open == 0) { // the cluster ends: the goroutine yields, the P goes idle
                w.event(GO_STOP, t).uvarint(0).uvarint(0).end();
                w.event(PROC_STOP, t).end();
            }
        }
        // Destroy the goroutine: run it once more, then end it.
        w.event(PROC_START, last).uvarint(GC_P).uvarint(++pseq).end();
        w.event(GO_START, last).uvarint(GC_G).uvarint(++gseq).end();
        w.event(GO_DESTROY, last).end();
        w.event(PROC_STOP, last).end();
        w.flush();
    }
}

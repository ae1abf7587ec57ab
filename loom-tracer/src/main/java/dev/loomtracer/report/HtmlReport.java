package dev.loomtracer.report;

import dev.loomtracer.analysis.Analysis;
import dev.loomtracer.analysis.AnalysisJson;
import dev.loomtracer.analysis.AnalysisOptions;
import dev.loomtracer.analysis.AnalysisResult;
import dev.loomtracer.analysis.AnalysisResult.Bucket;
import dev.loomtracer.analysis.AnalysisResult.Reason;
import dev.loomtracer.analysis.AnalysisResult.StackRow;
import dev.loomtracer.analysis.AnalysisResult.Step;
import dev.loomtracer.analysis.AnalysisResult.TaskReport;
import dev.loomtracer.analysis.AnalysisResult.Wait;
import dev.loomtracer.analysis.ModelListener;
import dev.loomtracer.analysis.TextReport;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTML report of a trace ({@code loomtrace report}, the demo's {@code demo.html}, the example
 * server's {@code /debug/report}): one self-contained page built from the analysis layer's results
 * ({@link Analysis}, {@link AnalysisResult}; the page embeds exactly {@code analyze --json}'s
 * document) plus the timeline's lanes and the flame graphs' stacks, rendered by report.js with
 * uPlot, all inlined.
 *
 * <p>Invariants: nothing is written to the output unless the whole trace was read and analysed
 * (an invalid trace fails before the first byte); the page is at most about
 * {@link #TIMELINE_SEGMENTS} timeline segments per window plus the analysis's bounded lists, so a
 * trace of any size gives a report of a few MB (a large trace's timeline shows chosen windows, and
 * the page says so); every string from the trace is embedded as JSON escaped for a script element
 * and reaches the page as text, never as markup.
 */
public final class HtmlReport {
    private HtmlReport() {}

    /** Segments kept per timeline window (four numbers each). */
    static final int TIMELINE_SEGMENTS = 60_000;
    /** Traces up to this size get a timeline of the whole trace; larger ones, of chosen windows. */
    static final long WHOLE_TIMELINE_BYTES = 2L << 20;
    /** Lanes for the threads of the slowest tasks, at most. */
    static final int THREAD_LANES = 12;
    /** Stacks per flame graph, most time first. */
    static final int FLAME_STACKS = 2_000;

    /**
     * How to write a report.
     *
     * @param name     what the page calls the trace (its file name)
     * @param partial  analyse the complete generations of a truncated trace and say so at the top
     * @param topN     length of the analysis's top lists (slowest tasks, worst waits, stacks);
     *                 {@link #named} takes the analysis's default, so the page embeds exactly what
     *                 {@code loomtrace analyze --json} writes
     * @param progress called now and then with the bytes read so far, or null
     */
    public record Options(String name, boolean partial, int topN, LongConsumer progress) {
        public static Options named(String name) {
            return new Options(name, false, AnalysisOptions.defaults().topN(), null);
        }

        public Options partial(boolean p) {
            return new Options(name, p, topN, progress);
        }

        public Options progress(LongConsumer p) {
            return new Options(name, partial, topN, p);
        }
    }

    /**
     * Writes the report of the trace file {@code trace} to {@code out} (not closed). Reads the trace
     * twice (the second pass collects the timeline inside the windows the first one chose); writes
     * nothing if the trace is invalid (the {@link dev.loomtracer.parse.TraceFormatException} names
     * the byte offset and generation).
     */
    public static void write(Path trace, Options options, OutputStream out) throws IOException {
        out.write(render(trace, options));
        out.flush();
    }

    /** The same for a trace held in memory (a flight-recorder snapshot, a trace just taken). */
    public static void write(byte[] trace, Options options, OutputStream out) throws IOException {
        out.write(render(Source.of(trace), options));
        out.flush();
    }

    /** The report of the trace file {@code trace} as the bytes of an HTML file. */
    public static byte[] render(Path trace, Options options) throws IOException {
        return render(Source.of(trace), options);
    }

    /** A trace that can be read twice. */
    private interface Source {
        long size() throws IOException;

        AnalysisResult analyse(AnalysisOptions o, ModelListener also) throws IOException;

        static Source of(Path file) {
            return new Source() {
                public long size() throws IOException {
                    return Files.size(file);
                }

                public AnalysisResult analyse(AnalysisOptions o, ModelListener also) throws IOException {
                    return Analysis.of(file, o, also);
                }
            };
        }

        static Source of(byte[] bytes) {
            return new Source() {
                public long size() {
                    return bytes.length;
                }

                public AnalysisResult analyse(AnalysisOptions o, ModelListener also) throws IOException {
                    return Analysis.of(new ByteArrayInputStream(bytes), o, also);
                }
            };
        }
    }

    private static byte[] render(Source trace, Options options) throws IOException {
        AnalysisOptions ao = AnalysisOptions.defaults().topN(options.topN()).partial(options.partial())
                .progress(options.progress());
        // Pass 1: the analysis, which tells which windows and threads the timeline shows.
        AnalysisResult r = trace.analyse(ao, null);
        long origin = r.trace().startNanos();
        boolean whole = trace.size() <= WHOLE_TIMELINE_BYTES;
        List<TimelineLanes.Window> windows = whole
                ? List.of(new TimelineLanes.Window(origin, origin + r.trace().durationNanos(), "the whole trace"))
                : windows(r);
        // Pass 2: the same model again, its intervals collected inside those windows.
        StringTable strings = new StringTable();
        StringTable groups = new StringTable();
        TimelineLanes lanes = new TimelineLanes(windows, laneThreads(r), TIMELINE_SEGMENTS, strings::index, groups::index);
        lanes.origin(origin);
        AnalysisResult again = trace.analyse(ao.progress(null), lanes);
        if (again.trace().events() != r.trace().events()) {
            throw new IOException("the trace changed while the report was read (" + r.trace().events() + " events, then "
                    + again.trace().events() + ")");
        }
        return page(r, lanes, windows, whole, strings, groups, options, origin);
    }

    /**
     * The time windows a large trace's timeline shows: the end of each of the slowest tasks, the
     * end of the longest wait for a carrier, the longest run queue. Each is at most as wide as the
     * trace's average density allows for {@link #TIMELINE_SEGMENTS} segments, and inside the trace.
     */
    static List<TimelineLanes.Window> windows(AnalysisResult r) {
        long start = r.trace().startNanos();
        long end = start + r.trace().durationNanos();
        // An interval per event at most: a window this wide holds about the segment budget.
        long width = Math.max(1_000_000, (long) (r.trace().durationNanos() * (double) TIMELINE_SEGMENTS
                / Math.max(1, r.trace().events())));
        List<TimelineLanes.Window> w = new ArrayList<>();
        for (TaskReport t : r.slowestTasks().subList(0, Math.min(3, r.slowestTasks().size()))) {
            long taskEnd = t.start() + t.wallNanos();
            boolean whole = t.wallNanos() * 12 / 10 <= width;
            long a = whole ? t.start() - (width - t.wallNanos()) / 2 : taskEnd - width * 9 / 10;
            w.add(new TimelineLanes.Window(a, a + width, (whole ? "" : "the end of ") + "slow task " + t.id()
                    + " (" + t.type() + ", " + TextReport.dur(t.wallNanos()) + ")"));
        }
        if (!r.worstWaits().isEmpty()) {
            Wait wait = r.worstWaits().getFirst();
            long got = wait.start() + wait.waitNanos();
            w.add(new TimelineLanes.Window(got - width * 8 / 10, got + width * 2 / 10,
                    "the end of the longest wait for a carrier (" + TextReport.dur(wait.waitNanos()) + ")"));
        }
        Bucket busiest = null;
        for (Bucket b : r.carriers().timeline()) {
            if (busiest == null || b.peakRunnable() > busiest.peakRunnable()) {
                busiest = b;
            }
        }
        if (busiest != null && busiest.peakRunnable() > 0) {
            long mid = busiest.start() + r.carriers().bucketNanos() / 2;
            w.add(new TimelineLanes.Window(mid - width / 2, mid + width / 2,
                    "the longest run queue (" + busiest.peakRunnable() + " waiting)"));
        }
        List<TimelineLanes.Window> clipped = new ArrayList<>();
        for (TimelineLanes.Window x : w) {
            long shift = x.start() < start ? start - x.start() : x.end() > end ? end - x.end() : 0;
            clipped.add(new TimelineLanes.Window(Math.max(start, x.start() + shift), Math.min(end, x.end() + shift), x.why()));
        }
        clipped.sort(Comparator.comparingLong(TimelineLanes.Window::start));
        List<TimelineLanes.Window> merged = new ArrayList<>();
        for (TimelineLanes.Window x : clipped) {
            TimelineLanes.Window last = merged.isEmpty() ? null : merged.getLast();
            if (last != null && x.start() <= last.end()) {
                merged.set(merged.size() - 1, new TimelineLanes.Window(last.start(), Math.max(last.end(), x.end()),
                        last.why() + "; " + x.why()));
            } else {
                merged.add(x);
            }
        }
        return merged;
    }

    /** The threads that get a lane: those that worked on the slowest tasks' longest steps, and the worst wait's. */
    static Set<Long> laneThreads(AnalysisResult r) {
        Set<Long> ids = new LinkedHashSet<>();
        for (Wait w : r.worstWaits().subList(0, Math.min(1, r.worstWaits().size()))) {
            ids.add(w.thread());
        }
        for (TaskReport t : r.slowestTasks()) {
            for (Step s : t.longestSteps()) {
                if (ids.size() < THREAD_LANES) {
                    ids.add(s.thread());
                }
            }
        }
        return ids;
    }

    private static byte[] page(AnalysisResult r, TimelineLanes lanes, List<TimelineLanes.Window> windows, boolean whole,
                               StringTable strings, StringTable groups, Options options, long origin) {
        StringTable frames = new StringTable();
        Flame flame = new Flame(stacks(r.profiles().blocked(), frames), stacks(r.profiles().schedWait(), frames),
                stacks(r.profiles().pinned(), frames));
        String note = null;
        if (!whole) {
            note = "This trace is large (" + String.format("%,d", r.trace().events()) + " events over "
                    + seconds(r.trace().durationNanos()) + "): the timeline shows " + windows.size()
                    + (windows.size() == 1 ? " window" : " windows") + " of it (buttons below), not the whole trace: "
                    + String.join("; ", windows.stream().map(TimelineLanes.Window::why).toList()) + ".";
        }
        if (lanes.dropped() > 0) {
            note = (note == null ? "" : note + " ") + "To keep this file small, the timeline holds the first "
                    + String.format("%,d", TIMELINE_SEGMENTS) + " segments of each window; " + String.format("%,d", lanes.dropped())
                    + " later ones are left out.";
        }
        List<Win> wins = windows.stream().map(w -> new Win(w.start() - origin, w.end() - origin, w.why())).toList();
        // A windowed timeline opens on its first window; its buttons go to the others.
        long viewStart = whole ? 0 : wins.getFirst().start();
        long viewEnd = whole ? r.trace().durationNanos() : wins.getFirst().end();
        Timeline timeline = new Timeline(viewStart, viewEnd, note, whole ? List.of() : wins, List.of(TimelineLanes.STATES),
                groups.list().stream().map(strings::index).toList(), lanes.lanes());
        Meta meta = new Meta(options.name(), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), r.trace().cut(),
                lanes.sawStacks(), r.trace().hasScheduling(), origin);
        List<BlockKind> blocking = AnalysisResult.byUntimedReason(r.blocking()).stream()
                .map(g -> new BlockKind(g.all(), TextReport.formsListed(g), TextReport.formsSummary(g))).toList();
        Page page = new Page(meta, TextReport.headlines(r), blocking, TextReport.blockingNote(r), frames.list(), strings.list(),
                flame, timeline);
        String data = "{\"analysis\":" + AnalysisJson.toJson(r).strip() + ",\"report\":" + AnalysisJson.toJson(page).strip() + "}";
        return fill(scriptSafe(data)).getBytes(StandardCharsets.UTF_8);
    }

    // The page's data beside the analysis (see report.js). Public only because AnalysisJson writes
    // records by reflection; not an API.

    /** What the page needs beside the analysis. */
    public record Page(Meta meta, List<String> headline, List<BlockKind> blocking, String blockingNote, List<String> frames,
                       List<String> strings, Flame flame, Timeline timeline) {}

    /**
     * A row of the blocking table: the blocks of one untimed reason summed, as {@code analyze}'s
     * by-reason table has them ({@link AnalysisResult#byUntimedReason}), with the timed forms it
     * lists under the row ({@link TextReport#formsListed}) or their summary ({@link TextReport#formsSummary}, else null).
     */
    public record BlockKind(Reason kind, List<Reason> forms, String more) {}

    public record Meta(String file, String generated, String partial, boolean stacks, boolean scheduling, long originNanos) {}

    /** Per flame graph: [nanos, frame index (root first)...] per stack. */
    public record Flame(List<List<Long>> blocked, List<List<Long>> sched, List<List<Long>> pinned) {}

    public record Win(long start, long end, String why) {}

    public record Timeline(long viewStart, long viewEnd, String note, List<Win> windows, List<String> states,
                           List<Integer> groups, List<Lane> lanes) {}

    /** A lane of the timeline: four numbers per segment (see TimelineLanes). */
    public record Lane(String name, String kind, List<Long> segs) {}

    private static List<List<Long>> stacks(List<StackRow> rows, StringTable frames) {
        List<List<Long>> out = new ArrayList<>();
        rows.stream().sorted(Comparator.comparingLong(StackRow::totalNanos).reversed()).limit(FLAME_STACKS).forEach(row -> {
            if (row.frames().isEmpty()) {
                return;
            }
            List<Long> s = new ArrayList<>(row.frames().size() + 1);
            s.add(row.totalNanos());
            for (String f : row.frames().reversed()) {
                s.add((long) frames.index(f));
            }
            out.add(s);
        });
        return out;
    }

    private static String seconds(long nanos) {
        return String.format("%.2f s", nanos / 1e9);
    }

    /** Interns strings: index in insertion order. */
    static final class StringTable {
        private final Map<String, Integer> index = new HashMap<>();
        private final List<String> list = new ArrayList<>();

        int index(String s) {
            return index.computeIfAbsent(s, k -> {
                list.add(k);
                return list.size() - 1;
            });
        }

        List<String> list() {
            return list;
        }
    }

    /**
     * JSON text made safe inside a script element: outside strings JSON has no {@code <}, {@code >}
     * or {@code &}, so replacing them everywhere only rewrites string contents, as equal escapes.
     */
    static String scriptSafe(String json) {
        return json.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
                .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029");
    }

    private static final Pattern MARKER = Pattern.compile("/\\*INLINE:([A-Za-z0-9_./-]+)\\*/|/\\*DATA\\*/");

    /** The page template with each inline marker replaced by its resource and the data marker by {@code data}. */
    private static String fill(String data) {
        String template = resource("report.html");
        Matcher m = MARKER.matcher(template);
        StringBuilder out = new StringBuilder(template.length() + data.length() + 200_000);
        while (m.find()) {
            String repl = m.group(1) == null ? data : resource(m.group(1));
            if (m.group(1) != null && repl.toLowerCase(java.util.Locale.ROOT).contains("</script")) {
                throw new IllegalStateException(m.group(1) + " contains </script and cannot be inlined");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(repl));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String resource(String name) {
        try (InputStream in = HtmlReport.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource dev/loomtracer/report/" + name + " is missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

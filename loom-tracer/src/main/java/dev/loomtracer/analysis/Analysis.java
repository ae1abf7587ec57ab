package dev.loomtracer.analysis;

import dev.loomtracer.analysis.AnalysisResult.TraceInfo;
import dev.loomtracer.parse.TraceEvent;
import dev.loomtracer.parse.TraceFormatException;
import dev.loomtracer.parse.TraceParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The analyses of a trace, in one streaming pass: scheduler latency, blocking, pinning, tasks,
 * carriers, thread groups ({@link AnalysisResult}).
 *
 * <pre>{@code
 * AnalysisResult r = Analysis.of(Path.of("app.trace"), AnalysisOptions.defaults());
 * r.schedLatency().p99Nanos();  r.blocking();  r.tasks();  r.slowestTasks();
 * }</pre>
 * or feed events you already read: {@code new Analysis(options)}, {@link #accept} each event of a
 * {@link TraceParser} in order, then {@link #result}.
 *
 * <p>Invariant: memory is bounded by the live threads, open tasks, distinct stacks and reasons and
 * the top-N lists (see {@link ThreadModel}, {@link Analyzer}), never by the trace's length; an
 * invalid trace ends in a {@link TraceFormatException} naming its byte offset and generation.
 */
public final class Analysis implements Consumer<TraceEvent> {
    private static final long PROGRESS_EVERY = 1 << 16;

    private final AnalysisOptions options;
    private final Analyzer analyzer;
    private final ThreadModel model;
    private long generations;
    private long events;

    public Analysis(AnalysisOptions options) {
        this(options, null);
    }

    /**
     * An analysis whose model also tells {@code also} every interval, task and run-queue change, in
     * the same order as the analyses see them (e.g. the HTML report's timeline); null for none.
     */
    public Analysis(AnalysisOptions options, ModelListener also) {
        this.options = options;
        this.analyzer = new Analyzer(options.topN());
        this.model = new ThreadModel(also == null ? analyzer : new Tee(analyzer, also));
        analyzer.attach(model);
    }

    /** Analyses a trace file. */
    public static AnalysisResult of(Path file, AnalysisOptions options) throws IOException {
        try (TraceParser p = TraceParser.open(file).reuseEvents()) {
            return new Analysis(options).read(p);
        }
    }

    /** Analyses a trace file, telling {@code also} what the model derives (see {@link #Analysis(AnalysisOptions, ModelListener)}). */
    public static AnalysisResult of(Path file, AnalysisOptions options, ModelListener also) throws IOException {
        try (TraceParser p = TraceParser.open(file).reuseEvents()) {
            return new Analysis(options, also).read(p);
        }
    }

    /** Analyses a trace read from {@code in} (closed at the end), e.g. a flight-recorder snapshot. */
    public static AnalysisResult of(InputStream in, AnalysisOptions options) throws IOException {
        try (TraceParser p = TraceParser.open(in).reuseEvents()) {
            return new Analysis(options).read(p);
        }
    }

    /** The same, telling {@code also} what the model derives (see {@link #Analysis(AnalysisOptions, ModelListener)}). */
    public static AnalysisResult of(InputStream in, AnalysisOptions options, ModelListener also) throws IOException {
        try (TraceParser p = TraceParser.open(in).reuseEvents()) {
            return new Analysis(options, also).read(p);
        }
    }

    /**
     * Reads every remaining event of {@code p} and returns the result (it keeps no event: {@code p}
     * may {@linkplain TraceParser#reuseEvents() reuse} them, as the {@code of} methods make it). A truncated trace throws,
     * unless {@link AnalysisOptions#partial()}: then the complete generations are analysed and the
     * result names the cut.
     */
    public AnalysisResult read(TraceParser p) throws IOException {
        String cut = null;
        try {
            long n = 0;
            for (TraceEvent e; (e = p.next()) != null; ) {
                accept(e);
                if (options.progress() != null && ++n % PROGRESS_EVERY == 0) {
                    options.progress().accept(p.bytesRead());
                }
            }
        } catch (TraceFormatException e) {
            if (!options.partial() || !e.truncated()) {
                throw e;
            }
            cut = e.getMessage();
        }
        if (options.progress() != null) {
            options.progress().accept(p.bytesRead());
        }
        return result(p.version(), p.bytesRead(), cut);
    }

    @Override
    public void accept(TraceEvent e) {
        if (e.isSync()) {
            generations++;
            return;
        }
        events++;
        model.accept(e);
    }

    /** Ends the analysis (open intervals are cut at the last event) and returns its result. */
    public AnalysisResult result(String version, long bytes, String cut) {
        model.finish();
        long duration = model.firstTime() < 0 ? 0 : model.lastTime() - model.firstTime();
        return analyzer.result(new TraceInfo(version, bytes, generations, events, Math.max(0, model.firstTime()), duration, model.schedulingEvents(),
                cut, model.peakThreads()));
    }

    /** Tells two listeners the same things, the analyses first. */
    private record Tee(ModelListener first, ModelListener second) implements ModelListener {
        @Override
        public void interval(Interval interval) {
            first.interval(interval);
            second.interval(interval);
        }

        @Override
        public void interval(IntervalView view) {
            first.interval(view);
            second.interval(view);
        }

        @Override
        public void taskBegin(long id, long parent, String type, long time, ThreadInfo thread) {
            first.taskBegin(id, parent, type, time, thread);
            second.taskBegin(id, parent, type, time, thread);
        }

        @Override
        public void taskEnd(long id, long time) {
            first.taskEnd(id, time);
            second.taskEnd(id, time);
        }

        @Override
        public void runnable(long time, int runnable) {
            first.runnable(time, runnable);
            second.runnable(time, runnable);
        }

        @Override
        public void mounted(ThreadInfo thread, long carrier, long time) {
            first.mounted(thread, carrier, time);
            second.mounted(thread, carrier, time);
        }

        @Override
        public void unmounted(Mount mount) {
            first.unmounted(mount);
            second.unmounted(mount);
        }

        @Override
        public void regionEnd(ThreadInfo thread, long task, String name, long start, long end,
                              dev.loomtracer.parse.ParsedStack stack, boolean ended) {
            first.regionEnd(thread, task, name, start, end, stack, ended);
            second.regionEnd(thread, task, name, start, end, stack, ended);
        }
    }
}

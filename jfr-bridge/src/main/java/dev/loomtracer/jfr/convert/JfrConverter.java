package dev.loomtracer.jfr.convert;

import dev.loomtracer.jfr.events.LoomEvents;
import dev.loomtracer.jfr.model.ClockLog;
import dev.loomtracer.jfr.model.Episode;
import dev.loomtracer.jfr.model.ModelEpisodes;
import dev.loomtracer.jfr.raw.BatchFramer;
import dev.loomtracer.jfr.raw.GenerationCollector;
import dev.loomtracer.jfr.raw.RawGeneration;
import dev.loomtracer.parse.ParsedStack;
import dev.loomtracer.parse.TraceEvent;
import dev.loomtracer.parse.TraceFormatException;
import dev.loomtracer.parse.TraceParser;
import dev.loomtracer.parse.TraceThreads;

import org.openjdk.jmc.flightrecorder.writer.api.TypedValue;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Converts a trace into a JFR recording for JDK Mission Control: every {@link Episode} the
 * trace's events pair into becomes one JFR event with explicit timestamps; virtual threads and
 * carriers become JFR threads (virtual or not), trace stacks become JFR stack traces.
 *
 * <p>How: a light pre-pass frames the file (time span, sizes: for progress and the chunk headers),
 * then {@link TraceParser} validates and orders the events, {@link ModelEpisodes} turns what the
 * analysis model derives from them into episodes,
 * and a {@link ChunkedJfrWriter} writes a new JFR chunk every {@link Options#chunkEvents} events,
 * so memory is bounded by one chunk and the generation the parser holds, however long the trace
 * (docs/JFR.md, "Offline conversion": the chunk ends at its event count, not at a generation
 * boundary, or a generation larger than a chunk would make the chunk as large as the generation).
 *
 * <p>Wall clock: the recording's wall times come from, in order: {@link Options#startEpochNanos};
 * the first {@link ClockLog} in the trace (the engine writes one per generation, the JFR bridge
 * and importer one each); else, for traces without one (older ones, Go's), the trace file's
 * modification time taken as the trace's end.
 *
 * <p>Invariant: the output file appears only if the whole trace was read and converted (or, with
 * {@link Options#partial}, every complete generation before a truncation); an invalid trace
 * throws {@link TraceFormatException} (naming byte offset and generation) and leaves no output.
 */
public final class JfrConverter {
    private JfrConverter() {}

    /** Progress of a conversion, reported after each generation. */
    public record Progress(long generation, long generations, long bytesRead, long bytes, long jfrEvents) {
        public double fraction() {
            return bytes == 0 ? 1 : Math.min(1, bytesRead / (double) bytes);
        }
    }

    /**
     * @param startEpochNanos wall-clock time (ns since the epoch) of the trace's first event, or
     *                        null to take it from the trace's clock log or the file's time
     * @param chunkEvents     JFR events per chunk (the last chunk may hold fewer)
     * @param partial         on a truncated trace, keep the complete generations instead of failing
     * @param progress        called after each generation, or null
     */
    public record Options(Long startEpochNanos, long chunkEvents, boolean partial, Consumer<Progress> progress) {
        public static Options defaults() {
            return new Options(null, 1_000_000, false, null);
        }

        public Options withProgress(Consumer<Progress> p) {
            return new Options(startEpochNanos, chunkEvents, partial, p);
        }

        public Options withStart(Long epochNanos) {
            return new Options(epochNanos, chunkEvents, partial, progress);
        }

        public Options withChunkEvents(long n) {
            return new Options(startEpochNanos, n, partial, progress);
        }

        public Options withPartial(boolean p) {
            return new Options(startEpochNanos, chunkEvents, p, progress);
        }
    }

    /**
     * What a conversion wrote.
     *
     * @param eventCounts   JFR events written, by event type name
     * @param clockSource   where the wall clock came from: "option", "trace clock log", "file time"
     * @param truncation    with {@link Options#partial}: the truncation that ended the trace, else null
     * @param threads       who the trace's threads are: names, virtual threads, carriers, platform threads
     * @param longestPark   the longest park of a virtual thread, or null if none
     * @param longestPinned the longest block pinned to its carrier, or null if none
     */
    public record Result(Map<String, Long> eventCounts, long traceEvents, long generations, int chunks,
                         LongestWait longestPark, LongestWait longestPinned, String clockSource,
                         Instant start, Instant end, String truncation, TraceThreads threads) {
        public long jfrEvents() {
            return eventCounts.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * One wait of a virtual thread, for {@link Result}: the episode model it comes from is not
     * exported (ExportedApiTest), so a module-path program gets this instead.
     *
     * @param thread         the virtual thread's id
     * @param carrier        the carrier it was pinned to, or -1 (a park unmounts it)
     * @param durationNanos  how long it waited
     * @param reason         the block reason as traced (a pinned block: why it pinned, or empty)
     * @param unparker       who made it runnable, or -1 if unknown (always for a pinned block)
     */
    public record LongestWait(long thread, long carrier, long durationNanos, String reason, long unparker) {
        static LongestWait of(Episode.Park p) {
            return p == null ? null : new LongestWait(p.thread(), Episode.NONE, p.duration(), p.reason(), p.unparker());
        }

        static LongestWait of(Episode.Pinned p) {
            return p == null ? null : new LongestWait(p.thread(), p.carrier(), p.duration(), p.reason(), Episode.NONE);
        }
    }

    /** The pre-pass: generations' time spans and sizes, without ordering events. */
    record Scan(long generations, long bytes, long firstNanos, long lastNanos,
                dev.loomtracer.jfr.raw.RawTraceException error) {}

    /**
     * The pre-pass. A framing error is not thrown here but returned in {@link Scan#error}: the
     * parser, which runs next, reports the same problem with its generation.
     */
    static Scan scan(Path trace) throws IOException {
        List<long[]> spans = new ArrayList<>();
        long[] count = new long[1];
        dev.loomtracer.jfr.raw.RawTraceException error = null;
        GenerationCollector c = new GenerationCollector(g -> {
            count[0]++;
            if (g.hasFrequency() && g.minTicks() != Long.MAX_VALUE) {
                double ns = g.nsPerTick();
                spans.add(new long[] {(long) (g.minTicks() * ns), (long) (g.maxTicks() * ns)});
            }
        }, false);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(trace), 1 << 16)) {
            BatchFramer.frameAll(in, c);
            c.finish();
        } catch (dev.loomtracer.jfr.raw.RawTraceException e) {
            error = e;
        }
        long first = spans.stream().mapToLong(s -> s[0]).min().orElse(0);
        long last = spans.stream().mapToLong(s -> s[1]).max().orElse(first);
        return new Scan(count[0], Files.size(trace), first, last, error);
    }

    /** Converts {@code trace} into {@code out} (replaced atomically). */
    public static Result convert(Path trace, Path out, Options options) throws IOException {
        Scan scan = scan(trace);
        Sink sink = new Sink(options.chunkEvents());
        String truncation = null;
        try (ChunkedJfrWriter w = new ChunkedJfrWriter(out)) {
            sink.writer = w;
            sink.firstGuess = scan.firstNanos();
            ModelEpisodes b = new ModelEpisodes(sink);
            sink.builder = b;
            long gens = 0;
            long events = 0;
            try (TraceParser p = TraceParser.open(trace)) {
                try {
                    for (TraceEvent e; (e = p.next()) != null; ) {
                        events++;
                        if (e.isSync()) {
                            gens++;
                            if (options.progress() != null) {
                                options.progress().accept(new Progress(e.generation(), scan.generations(),
                                        p.bytesRead(), scan.bytes(), sink.total()));
                            }
                            continue;
                        }
                        sink.who.accept(e); // before the episode it may end: a name told with a start names that run
                        b.accept(e);
                        sink.rethrow();
                    }
                } catch (TraceFormatException e) {
                    if (!(options.partial() && e.truncated())) {
                        throw e;
                    }
                    truncation = e.getMessage();
                }
            }
            if (scan.error() != null && truncation == null) {
                throw scan.error(); // the parser accepted what the framing rejects: trust the stricter
            }
            long end = Math.max(b.lastTime(), scan.lastNanos());
            b.finish(end);
            sink.rethrow();

            long epochAtZero;
            String clockSource;
            long first = sink.firstStart == Long.MAX_VALUE ? scan.firstNanos() : Math.min(sink.firstStart, scan.firstNanos());
            if (options.startEpochNanos() != null) {
                epochAtZero = options.startEpochNanos() - first;
                clockSource = "option";
            } else if (sink.clock != null) {
                epochAtZero = sink.clock.epochNanosAtTraceZero();
                clockSource = "trace clock log";
            } else {
                long mtime = Files.getLastModifiedTime(trace).toMillis() * 1_000_000L;
                epochAtZero = mtime - end;
                clockSource = "file time";
            }
            if (w.chunks() == 0) {
                w.schema(first); // no episode at all: still a valid recording (its types, no events)
            }
            int chunks = w.finish(epochAtZero);
            return new Result(sink.counts, events, gens, chunks, LongestWait.of(sink.longestPark),
                    LongestWait.of(sink.longestPinned), clockSource,
                    instant(epochAtZero + first), instant(epochAtZero + end), truncation, sink.who);
        }
    }

    private static Instant instant(long epochNanos) {
        return Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L));
    }

    /** Writes each episode as a JFR event into the current chunk. */
    private static final class Sink implements dev.loomtracer.jfr.model.EpisodeListener {
        final long chunkEvents;
        ChunkedJfrWriter writer;
        ModelEpisodes builder;
        long firstGuess;
        long firstStart = Long.MAX_VALUE;
        final Map<String, Long> counts = new TreeMap<>();
        Episode.Park longestPark;
        Episode.Pinned longestPinned;
        ClockLog clock;
        final TraceThreads who = new TraceThreads();
        private IOException failure;
        private JfrSchema s;

        Sink(long chunkEvents) {
            this.chunkEvents = chunkEvents;
        }

        long total() {
            return counts.values().stream().mapToLong(Long::longValue).sum();
        }

        void rethrow() throws IOException {
            if (failure != null) {
                throw failure;
            }
        }

        /** The name the trace gave the thread; else its kind and id (the trace named it nowhere before this point). */
        private String threadName(long id, boolean virtual) {
            return who.nameOr(id, (virtual ? "virtual-" : who.isPlatformThread(id) ? "platform-" : "carrier-") + id);
        }

        private TypedValue thread(long id) {
            if (id == Episode.NONE) {
                return s.thread(0, false, "(none)");
            }
            boolean virtual = !builder.isCarrier(id);
            return s.thread(id, virtual, threadName(id, virtual));
        }

        private TypedValue stack(ParsedStack st) {
            return s.stack(st);
        }

        private static long id(long x) {
            return x == Episode.NONE ? 0 : x;
        }

        @Override
        public void episode(Episode e) {
            if (failure != null) {
                return;
            }
            try {
                if (s == null) {
                    s = writer.schema(firstGuess);
                }
                write(e);
                writer.wrote(e.start(), e.end());
                firstStart = Math.min(firstStart, e.start());
                if (writer.eventsInChunk() >= chunkEvents) {
                    writer.endChunk(); // JMC's writer holds its whole chunk in memory
                    s = null;
                }
            } catch (IOException x) {
                failure = x;
            } catch (UncheckedIOException x) {
                failure = x.getCause();
            }
        }

        private void count(String type) {
            counts.merge(type, 1L, Long::sum);
        }

        private void write(Episode e) {
            switch (e) {
                case Episode.Run r -> {
                    count(LoomEvents.RUN);
                    s.write(LoomEvents.RUN, r.start(), r.duration(), thread(r.thread()), stack(null), v -> v
                            .putField("virtualThreadId", r.thread())
                            .putField("carrierThread", thread(r.carrier()))
                            .putField("carrierThreadId", id(r.carrier()))
                            .putField("processor", r.proc())
                            .putField("endReason", r.endReason())
                            .putField("complete", r.complete()));
                }
                case Episode.Park p -> {
                    count(LoomEvents.PARK);
                    if (longestPark == null || p.duration() > longestPark.duration()) {
                        longestPark = p;
                    }
                    s.write(LoomEvents.PARK, p.start(), p.duration(), thread(p.thread()), stack(p.stack()), v -> v
                            .putField("virtualThreadId", p.thread())
                            .putField("reason", nn(p.reason()))
                            .putField("blocker", nn(p.blocker()))
                            .putField("unparkerThreadId", id(p.unparker()))
                            .putField("unparkerCarrierId", id(p.unparkerCarrier()))
                            .putField("complete", p.complete()));
                }
                case Episode.Unpark u -> {
                    count(LoomEvents.UNPARK);
                    long by = u.unparker() != Episode.NONE ? u.unparker() : u.carrier();
                    s.write(LoomEvents.UNPARK, u.time(), 0, thread(by), stack(u.stack()), v -> v
                            .putField("virtualThreadId", u.target())
                            .putField("unparkerThreadId", id(u.unparker()))
                            .putField("carrierThreadId", id(u.carrier())));
                }
                case Episode.Pinned p -> {
                    count(LoomEvents.PINNED);
                    if (longestPinned == null || p.duration() > longestPinned.duration()) {
                        longestPinned = p;
                    }
                    s.write(LoomEvents.PINNED, p.start(), p.duration(), thread(p.thread()), stack(p.stack()), v -> v
                            .putField("virtualThreadId", p.thread())
                            .putField("carrierThread", thread(p.carrier()))
                            .putField("carrierThreadId", id(p.carrier()))
                            .putField("pinnedReason", nn(p.reason()))
                            .putField("complete", p.complete()));
                }
                case Episode.Task t -> {
                    count(LoomEvents.TASK);
                    s.write(LoomEvents.TASK, t.start(), t.duration(), thread(t.thread()), stack(t.stack()), v -> v
                            .putField("taskId", t.id())
                            .putField("parentTaskId", id(t.parent()))
                            .putField("taskName", nn(t.name()))
                            .putField("threadId", id(t.thread()))
                            .putField("complete", t.complete()));
                }
                case Episode.Region r -> {
                    count(LoomEvents.REGION);
                    s.write(LoomEvents.REGION, r.start(), r.duration(), thread(r.thread()), stack(r.stack()), v -> v
                            .putField("taskId", id(r.task()))
                            .putField("regionName", nn(r.name()))
                            .putField("threadId", id(r.thread()))
                            .putField("complete", r.complete()));
                }
                case Episode.Log l -> {
                    count(LoomEvents.LOG);
                    // Every clock log is read (one per generation), so a malformed one fails the
                    // conversion even after a good one; the first good one sets the wall clock.
                    ClockLog c = ClockLog.of(l);
                    if (clock == null) {
                        clock = c;
                    }
                    long on = l.thread() != Episode.NONE ? l.thread() : l.carrier();
                    s.write(LoomEvents.LOG, l.time(), 0, thread(on), stack(l.stack()), v -> v
                            .putField("taskId", id(l.task()))
                            .putField("category", nn(l.category()))
                            .putField("message", nn(l.message()))
                            .putField("threadId", id(l.thread())));
                }
                case Episode.CpuSample c -> {
                    count(LoomEvents.EXECUTION_SAMPLE);
                    long on = c.thread() != Episode.NONE ? c.thread() : c.carrier();
                    s.writeSample(c.time(), thread(on), stack(c.stack()));
                }
                case Episode.Gc g -> {
                    count(LoomEvents.GC);
                    s.write(LoomEvents.GC, g.start(), g.duration(), thread(Episode.NONE), stack(null), v -> v
                            .putField("sequence", g.seq())
                            .putField("complete", g.complete()));
                }
                case Episode.StopTheWorld w -> {
                    count(LoomEvents.STW);
                    s.write(LoomEvents.STW, w.start(), w.duration(), thread(w.thread()), stack(null), v -> v
                            .putField("kind", nn(w.kind()))
                            .putField("threadId", id(w.thread()))
                            .putField("complete", w.complete()));
                }
            }
        }

        private static String nn(String s) {
            return s == null ? "" : s;
        }
    }
}

package dev.loomtracer.parse;

import dev.loomtracer.format.ClockAnchor;
import dev.loomtracer.format.EventType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Counts of one pass over a trace: generations, events per type, goroutines, procs and threads
 * seen (virtual threads, carriers and platform threads told apart, with their names:
 * {@link #threadsSeen()}), block reasons, user logs, bytes, time span. Analyses can feed it
 * events they already read ({@link #accept}) instead of parsing twice.
 *
 * <p>Invariant: every count is over the events accepted so far; Sync events count generations and
 * nothing else, so {@link #events()} equals the sum of {@link #countsByType()}.
 *
 * <p>Why this is not a copy of the analysis model ({@code dev.loomtracer.analysis.ThreadModel},
 * the one home of what a thread was doing between two events): it counts events as written, one
 * at a time, and keeps no thread's state, so no pairing of one event with another happens here
 * (a GoBlock's reason is counted when the GoBlock is read, not when its unblock comes). Who the
 * ids are (names, virtual, carrier, platform) is {@link TraceThreads}'s. It lives in the parser's
 * package because {@code validate} prints it, and a validator must not depend on the analyses.
 */
public final class TraceSummary implements Consumer<TraceEvent> {
    private String version = "";
    private long bytes;
    private long generations;
    private long events;
    private long firstTime = -1;
    private long lastTime = -1;
    private long userLogs;
    private final Map<String, Long> byType = new TreeMap<>();
    private final Map<String, Long> blockReasons = new TreeMap<>();
    private final Map<String, Long> stopReasons = new TreeMap<>();
    private final Map<Long, Long> perGoroutine = new java.util.HashMap<>();
    private final Map<Long, Long> perM = new java.util.HashMap<>();
    private final Set<Long> goroutines = new HashSet<>();
    private final Set<Long> procs = new HashSet<>();
    private final Set<Long> threads = new HashSet<>();
    private final TraceThreads who = new TraceThreads();
    /** Wall clock (epoch ns) at trace time 0, from the first clock anchor; Long.MIN_VALUE if none. */
    private long epochAtZero = Long.MIN_VALUE;

    /** Reads a whole trace file; throws {@link TraceFormatException} if it is invalid. */
    public static TraceSummary of(Path file) throws IOException {
        try (TraceParser p = TraceParser.open(file)) {
            TraceSummary s = new TraceSummary();
            s.readAll(p);
            return s;
        }
    }

    /** Reads a whole trace; throws {@link TraceFormatException} if it is invalid. */
    public static TraceSummary of(InputStream in) throws IOException {
        try (TraceParser p = TraceParser.open(in)) {
            TraceSummary s = new TraceSummary();
            s.readAll(p);
            return s;
        }
    }

    /**
     * Accepts every remaining event of {@code p}. On an invalid trace it throws, and this summary
     * keeps what was read before the error.
     */
    public void readAll(TraceParser p) throws IOException {
        version = p.version();
        try {
            for (TraceEvent e; (e = p.next()) != null; ) {
                accept(e);
            }
        } finally {
            bytes = p.bytesRead();
        }
    }

    @Override
    public void accept(TraceEvent e) {
        if (e.isSync()) {
            generations++;
            return;
        }
        events++;
        who.accept(e);
        if (firstTime < 0) {
            firstTime = e.time();
        }
        lastTime = e.time();
        byType.merge(e.typeName(), 1L, Long::sum);
        if (e.g() != TraceEvent.NONE) {
            goroutines.add(e.g());
            perGoroutine.merge(e.g(), 1L, Long::sum);
        }
        if (e.p() != TraceEvent.NONE) {
            procs.add(e.p());
        }
        if (e.m() != TraceEvent.NONE) {
            threads.add(e.m());
            perM.merge(e.m(), 1L, Long::sum);
        }
        Transition t = e.transition();
        if (t != null) {
            (t.resource() == Transition.Resource.GOROUTINE ? goroutines : procs).add(t.id());
        }
        switch (e.type()) {
            case EventType.GO_BLOCK -> blockReasons.merge(e.reason(), 1L, Long::sum);
            case EventType.GO_STOP -> stopReasons.merge(e.reason(), 1L, Long::sum);
            case EventType.USER_LOG -> {
                userLogs++;
                if (epochAtZero == Long.MIN_VALUE && ClockAnchor.CATEGORY.equals(e.name())) {
                    long[] a = ClockAnchor.parseOrNull(e.message());
                    if (a != null) {
                        epochAtZero = a[1] - (a[2] >= 0 ? a[2] : e.time());
                    }
                }
            }
            default -> { }
        }
    }

    public String version() {
        return version;
    }

    /** Bytes of the trace read (set by {@link #readAll}). */
    public long bytes() {
        return bytes;
    }

    public long generations() {
        return generations;
    }

    /** Events other than Sync. */
    public long events() {
        return events;
    }

    /** Event counts by type name (Go's names: GoBlock, GoStart, ...), sorted by name. */
    public Map<String, Long> countsByType() {
        return Collections.unmodifiableMap(byType);
    }

    /** How many events of this type ({@link EventType} code). */
    public long count(int type) {
        return byType.getOrDefault(EventType.name(type), 0L);
    }

    /** GoBlock reasons and how often each occurred. */
    public Map<String, Long> blockReasons() {
        return Collections.unmodifiableMap(blockReasons);
    }

    /** GoStop reasons and how often each occurred. */
    public Map<String, Long> stopReasons() {
        return Collections.unmodifiableMap(stopReasons);
    }

    public Set<Long> goroutines() {
        return Collections.unmodifiableSet(goroutines);
    }

    /** Events that happened while each goroutine was running (its id as the event's G). */
    public Map<Long, Long> eventsPerGoroutine() {
        return Collections.unmodifiableMap(perGoroutine);
    }

    public Set<Long> procs() {
        return Collections.unmodifiableSet(procs);
    }

    /** The Ms (threads; carrier threads in Loom traces) that emitted events. */
    public Set<Long> threads() {
        return Collections.unmodifiableSet(threads);
    }

    /** Who the threads are: names, virtual threads, carriers, platform threads. */
    public TraceThreads threadsSeen() {
        return who;
    }

    public long userLogs() {
        return userLogs;
    }

    /**
     * The wall-clock time of the first event, from the trace's own clock anchor (docs/FORMAT.md,
     * "Wall clock"), or null if the trace has none.
     */
    public java.time.Instant start() {
        if (epochAtZero == Long.MIN_VALUE || firstTime < 0) {
            return null;
        }
        long ns = epochAtZero + firstTime;
        return java.time.Instant.ofEpochSecond(Math.floorDiv(ns, 1_000_000_000L), Math.floorMod(ns, 1_000_000_000L));
    }

    /** Nanoseconds from the first to the last event, 0 if there are fewer than two. */
    public long durationNanos() {
        return firstTime < 0 ? 0 : lastTime - firstTime;
    }

    /** One line: version, generations, events, goroutines, procs, threads, bytes, duration. */
    @Override
    public String toString() {
        return String.format("%s trace: %d generation(s), %d events, %d goroutines, %d procs, %d threads, "
                + "%d bytes, %.3f s", version.isEmpty() ? "go" : version, generations, events,
                goroutines.size(), procs.size(), threads.size(), bytes, durationNanos() / 1e9);
    }

    /** A multi-line table: the one-line summary, events per type, block and stop reasons. */
    public String table() {
        StringBuilder sb = new StringBuilder(toString()).append('\n');
        java.time.Instant start = start();
        sb.append(start != null ? "started " + start + " (wall clock from the trace's clock anchor)\n"
                : "started: unknown (the trace has no clock anchor)\n");
        sb.append(String.format("threads: %d virtual, %d carriers, %d platform threads (emitted events outside the scheduler)%n",
                who.virtualThreads().size(), who.carriers().size(), who.platformThreads().size()));
        sb.append(String.format("user logs: %d%n", userLogs));
        section(sb, "events by type", byType);
        section(sb, "block reasons (GoBlock)", blockReasons);
        section(sb, "stop reasons (GoStop)", stopReasons);
        Map<String, Long> busiest = new java.util.LinkedHashMap<>();
        perGoroutine.entrySet().stream()
                .sorted(Map.Entry.<Long, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(10).forEach(e -> busiest.put("G " + e.getKey() + named(e.getKey()), e.getValue()));
        section(sb, "goroutines: " + goroutines.size() + " seen; most events while running", busiest);
        Map<String, Long> carriers = new java.util.LinkedHashMap<>();
        for (long m : who.carriers()) {
            carriers.put("M " + m + named(m), perM.getOrDefault(m, 0L));
        }
        section(sb, "carriers: " + carriers.size() + "; events on each", carriers);
        Map<String, Long> platform = new java.util.LinkedHashMap<>();
        for (long m : who.platformThreads()) {
            platform.put("M " + m + named(m), perM.getOrDefault(m, 0L));
        }
        section(sb, "platform threads that emitted events: " + platform.size() + "; events on each", platform);
        return sb.toString();
    }

    private static void section(StringBuilder sb, String title, Map<String, Long> counts) {
        sb.append('\n').append(title).append(":\n");
        if (counts.isEmpty()) {
            sb.append("  (none)\n");
        }
        int width = counts.keySet().stream().mapToInt(k -> displayed(k).length()).max().orElse(0);
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> sb.append(String.format("  %-" + Math.max(width, 1) + "s %10d%n", displayed(e.getKey()), e.getValue())));
    }

    private String named(long id) {
        String n = who.name(id);
        return n == null ? "" : " " + n;
    }

    private static String displayed(String k) {
        return k.isEmpty() ? "(none)" : k;
    }
}

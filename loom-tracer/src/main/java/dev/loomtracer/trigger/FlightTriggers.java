package dev.loomtracer.trigger;

import dev.loomtracer.format.BatchLayout;
import dev.loomtracer.FlightRecorder;
import dev.loomtracer.analysis.Interval;
import dev.loomtracer.analysis.ModelListener;
import dev.loomtracer.analysis.ThreadInfo;
import dev.loomtracer.analysis.ThreadModel;
import dev.loomtracer.parse.TraceEvent;
import dev.loomtracer.parse.TraceParser;
import dev.loomtracer.parse.LongMap;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Watches a running {@link FlightRecorder} and writes a snapshot of its window when a
 * {@link Trigger} condition holds: {@code FlightTriggers.watch(fr, triggers, policy)}, or the
 * agent's {@code trigger=} option.
 *
 * <p>How: the recorder hands each completed generation to this watcher's own daemon thread,
 * which parses it ({@link TraceParser}) and measures the spans the triggers name with the analysis
 * model ({@link ThreadModel}: a thread's blocked, runnable and pinned states, each whole, and tasks),
 * which carries open spans from one generation to the next. Nothing runs on the traced threads (the hot path is
 * untouched); a condition is seen when the generation holding the span's end completes (within a
 * generation period, 1 s by default), and the snapshot, taken then, contains that span.
 *
 * <p>Invariants: at most one snapshot per {@link Policy#minInterval}; the directory keeps at most
 * {@link Policy#maxFiles} snapshots and {@link Policy#maxBytes} bytes of them (the oldest go
 * first); a snapshot is written to a temporary name and renamed, so a file with the snapshot
 * name is complete; each snapshot is logged with its cause as one {@code System.Logger} record
 * (logger {@value #LOGGER}); a generation the watcher had no room for is counted and logged,
 * never silently skipped.
 */
public final class FlightTriggers implements AutoCloseable {
    public static final String LOGGER = "dev.loomtracer.flight";
    private static final DateTimeFormatter FILE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'");
    private static final String PREFIX = "loomtrace-";
    private static final String SUFFIX = ".trace";
    private static final int MAX_OPEN_SPANS = 1 << 20;
    private static final byte[] END = new byte[0];

    private static volatile FlightTriggers current;

    /**
     * Where and how often snapshots are written.
     *
     * @param dir         the snapshot directory (created if missing)
     * @param maxFiles    snapshots kept in it at most
     * @param maxBytes    bytes of snapshots kept in it at most
     * @param minInterval at most one snapshot per this interval
     */
    public record Policy(Path dir, int maxFiles, long maxBytes, Duration minInterval) {
        public static Policy defaults(Path dir) {
            return new Policy(dir, 10, 1L << 30, Duration.ofMinutes(1));
        }
    }

    private final FlightRecorder fr;
    private final List<Trigger> triggers;
    private final Policy policy;
    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(16);
    private final Thread thread;
    private final System.Logger log = System.getLogger(LOGGER);
    private final AtomicLong checked = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong snapshots = new AtomicLong();
    private long lastSnapshotNanos;
    private boolean snapshotted;

    // Open spans, carried across generations: the threads' states in the model, the open tasks here.
    private final LongMap<OpenTask> openTasks = new LongMap<>();
    private ThreadModel model = new ThreadModel(new Spans());
    /** The first condition that held in the generation being read, described. */
    private String firstCause;

    private record OpenTask(long since, String name) {}

    /** Tells the triggers each whole state and task as the model ends it. */
    private final class Spans implements ModelListener {
        @Override
        public void interval(Interval i) {
            if (!i.completeState()) {
                return; // a piece of a state that goes on, or one whose start was not seen
            }
            long g = i.thread().id();
            cause(switch (i.state()) {
                case BLOCKED -> fired(Trigger.Kind.BLOCK, i.stateDuration(), "goroutine " + g + " blocked");
                case RUNNABLE -> fired(Trigger.Kind.SCHEDLAT, i.stateDuration(), "goroutine " + g + " runnable");
                case PINNED -> fired(Trigger.Kind.PINNED, i.stateDuration(), "goroutine " + g + " pinned");
                case RUNNING -> null;
            });
        }

        @Override
        public void taskBegin(long id, long parent, String type, long time, ThreadInfo thread) {
            openTasks.put(id, new OpenTask(time, type));
        }

        @Override
        public void taskEnd(long id, long time) {
            OpenTask t = openTasks.remove(id);
            if (t != null) {
                cause(fired(Trigger.Kind.TASK, time - t.since(), "task '" + t.name() + "'"));
            }
        }
    }

    private void cause(String c) {
        if (firstCause == null) {
            firstCause = c;
        }
    }

    private FlightTriggers(FlightRecorder fr, List<Trigger> triggers, Policy policy) {
        this.fr = fr;
        this.triggers = List.copyOf(triggers);
        this.policy = policy;
        this.thread = Thread.ofPlatform().daemon().name("loomtrace-flight-triggers").unstarted(this::run);
    }

    /** Starts watching {@code fr}; snapshots go to {@code policy.dir()}. */
    public static FlightTriggers watch(FlightRecorder fr, List<Trigger> triggers, Policy policy) throws IOException {
        if (triggers.isEmpty()) {
            throw new IllegalArgumentException("no trigger given");
        }
        Files.createDirectories(policy.dir());
        FlightTriggers t = new FlightTriggers(fr, triggers, policy);
        t.thread.start();
        fr.onGeneration(gen -> {
            if (!t.queue.offer(gen)) {
                t.skipped.incrementAndGet();
            }
        });
        current = t;
        return t;
    }

    /** The watcher started last in this JVM (the agent's), or null. */
    public static FlightTriggers current() {
        return current;
    }

    /** Generations checked so far. */
    public long generationsChecked() {
        return checked.get();
    }

    /** Snapshots written so far. */
    public long snapshotsWritten() {
        return snapshots.get();
    }

    public Path directory() {
        return policy.dir();
    }

    public List<Trigger> triggers() {
        return triggers;
    }

    /** Stops watching (the recorder goes on). */
    @Override
    public void close() {
        fr.onGeneration(null);
        queue.clear();
        queue.offer(END);
        if (current == this) {
            current = null;
        }
    }

    private void run() {
        long reportedSkips = 0;
        try {
            for (;;) {
                byte[] gen = queue.take();
                if (gen == END) {
                    return;
                }
                String cause = null;
                try {
                    cause = check(gen);
                } catch (IOException | RuntimeException e) {
                    log.log(System.Logger.Level.WARNING, "flight recorder triggers: a generation could not be read (" + e
                            + "); its spans are not checked");
                    clear();
                }
                checked.incrementAndGet();
                long s = skipped.get();
                if (s > reportedSkips) {
                    log.log(System.Logger.Level.WARNING, "flight recorder triggers: " + (s - reportedSkips)
                            + " generations were not checked (the checker fell behind)");
                    reportedSkips = s;
                    clear(); // spans that began in a skipped generation would be measured wrong
                }
                if (cause != null) {
                    snapshot(cause);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reads one generation; returns the first condition that holds in it, described, or null. */
    private String check(byte[] gen) throws IOException {
        firstCause = null;
        try (TraceParser p = TraceParser.open(new SequenceInputStream(new ByteArrayInputStream(BatchLayout.FILE_HEADER),
                new ByteArrayInputStream(gen)))) {
            for (TraceEvent e; (e = p.next()) != null; ) {
                model.accept(e);
            }
        }
        if (model.liveThreads() + openTasks.size() > MAX_OPEN_SPANS) {
            clear(); // bounded memory: a span open this long is dropped, not measured
        }
        return firstCause;
    }

    private String fired(Trigger.Kind kind, long nanos, String what) {
        for (Trigger tr : triggers) {
            if (tr.kind() == kind && nanos > tr.threshold().toNanos()) {
                return tr + ": " + what + " for " + String.format(java.util.Locale.ROOT, "%.1f", nanos / 1e6) + " ms";
            }
        }
        return null;
    }

    private void clear() {
        model = new ThreadModel(new Spans());
        openTasks.clear();
    }

    private void snapshot(String cause) {
        long now = System.nanoTime();
        if (snapshotted && now - lastSnapshotNanos < policy.minInterval().toNanos()) {
            log.log(System.Logger.Level.INFO, "flight recorder trigger " + cause + "; no snapshot: the last one was "
                    + (now - lastSnapshotNanos) / 1_000_000 + " ms ago (at most one per " + policy.minInterval() + ")");
            return;
        }
        String trigger = cause.substring(0, cause.indexOf(':'));
        String name = PREFIX + LocalDateTime.now(ZoneOffset.UTC).format(FILE_TIME) + "-"
                + trigger.replace(">", "-over-") + SUFFIX;
        Path file = policy.dir().resolve(name);
        Path tmp = policy.dir().resolve(name + ".tmp");
        try {
            long n;
            try (OutputStream out = Files.newOutputStream(tmp)) {
                n = fr.writeTo(out);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            snapshotted = true;
            lastSnapshotNanos = now;
            snapshots.incrementAndGet();
            log.log(System.Logger.Level.WARNING, "flight recorder snapshot " + file + " (" + n + " bytes): trigger " + cause);
            rotate();
        } catch (IOException | RuntimeException e) {
            log.log(System.Logger.Level.WARNING, "flight recorder trigger " + cause + "; writing the snapshot "
                    + file + " failed: " + e);
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // left behind, named .tmp
            }
        }
    }

    /** Deletes the oldest snapshots until the count and size bounds hold (the newest always stays). */
    private void rotate() throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(policy.dir(), PREFIX + "*" + SUFFIX)) {
            ds.forEach(files::add);
        }
        files.sort(null); // the names start with the time: oldest first
        long total = 0;
        for (Path f : files) {
            total += Files.size(f);
        }
        for (int i = 0; i < files.size() - 1 && (files.size() - i > policy.maxFiles() || total > policy.maxBytes()); i++) {
            Path f = files.get(i);
            total -= Files.size(f);
            Files.delete(f);
            log.log(System.Logger.Level.INFO, "flight recorder: removed the old snapshot " + f
                    + " (keeping at most " + policy.maxFiles() + " files, " + (policy.maxBytes() >> 20) + " MiB)");
        }
    }
}

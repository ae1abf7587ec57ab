package dev.loomtracer.jfr.live;

import dev.loomtracer.format.BatchLayout;
import dev.loomtracer.LoomTrace;
import dev.loomtracer.TraceOptions;
import dev.loomtracer.engine.TraceWriter;
import dev.loomtracer.engine.Tracer;
import dev.loomtracer.jfr.events.ClockSyncEvent;
import dev.loomtracer.jfr.model.ClockLog;
import dev.loomtracer.jfr.model.Episode;
import dev.loomtracer.jfr.model.EpisodeBuilder;
import dev.loomtracer.jfr.raw.BatchFramer;
import dev.loomtracer.jfr.raw.GenerationCollector;
import dev.loomtracer.jfr.raw.RawGeneration;
import dev.loomtracer.parse.TraceEvent;
import dev.loomtracer.parse.TraceFormatException;
import dev.loomtracer.parse.TraceParser;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The live JFR bridge: while a JFR recording has the Loom Tracer event types enabled, the
 * tracer's events are also committed as JFR events ({@link dev.loomtracer.jfr.events}).
 *
 * <p>Design: the bridge is a consumer of the trace stream, so the engine knows nothing of JFR.
 * The bytes the trace reader hands out are framed into generations as they pass (on the
 * reader's thread: header parsing and a copy); each complete generation goes to the bridge's own
 * thread, which - only if some Loom Tracer event type is enabled in a running recording - parses
 * it, pairs its events into episodes and commits them with explicit start times and durations.
 * Use it as a tee in front of any trace sink ({@link #tee}), or let it own the trace
 * ({@link #start}), or let it start and stop tracing with the recordings that enable its events
 * ({@link #install}).
 *
 * <p>Clock: the bridge writes a clock log (category {@code loomtrace.clock}: System.nanoTime()
 * and wall clock) into the trace and a {@code dev.loomtracer.ClockSync} event into JFR at the
 * same moment; the log's trace time gives the trace clock's nanoTime base, which maps every trace
 * time to JFR's clock. Generations that arrive before the log has been seen wait for it (up to a
 * few generations, then an estimate from arrival times is used).
 *
 * <p>Invariants. The trace reader never blocks on the bridge: when the bridge's queue is full,
 * the generation is dropped from JFR (and counted), never from the trace. Events are committed
 * at most once, about one generation period after they happened. When no recording enables the
 * types, a generation costs one enabled-check per type and no parsing. The bridge thread never
 * takes the trace lock (it parses bytes); it writes trace events only for the clock log, through
 * the engine's public writer SPI, on its own thread.
 */
public final class JfrBridge implements AutoCloseable {
    private static final Object END = new Object();
    /** Bytes of generations waiting for the bridge thread, at most; more are dropped from JFR. */
    private static final long QUEUE_BYTES = 64L << 20;
    /** How long generations wait for the clock log: both bounds must be passed. */
    private static final int MAX_PENDING_GENERATIONS = 8;
    private static final long MAX_PENDING_NANOS = 2_000_000_000L;

    /** Counters of a bridge. */
    public record Stats(long generations, long committedGenerations, long skippedGenerations,
                        long droppedGenerations, long invalidGenerations, Map<String, Long> committed,
                        String clock, String lastError) {}

    private final Tracer tracer;
    private final boolean writeClockLog;
    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final Thread worker;
    private final Object framing = new Object();
    private final BatchFramer framer;
    private final GenerationCollector collector;
    private final JfrTime time = new JfrTime();
    private final LiveCommitter committer = new LiveCommitter(time);
    private final List<Episode> current = new ArrayList<>();
    private final EpisodeBuilder builder = new EpisodeBuilder(current::add);
    private final List<Pending> pending = new ArrayList<>();

    private final AtomicLong generations = new AtomicLong();
    private final AtomicLong committedGens = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong invalid = new AtomicLong();
    private final AtomicLong processed = new AtomicLong();
    private volatile boolean gapBeforeNext;
    private volatile boolean ended;
    private volatile boolean clockLogWritten;
    private volatile String clockSource = "none yet";
    private volatile String lastError;
    private boolean clockKnown;
    private boolean streamFailed;

    private record Pending(List<Episode> episodes, long arrivalNanoTime, long lastTraceNanos) {}

    /**
     * A bridge for the trace of {@code tracer}. Feed it the trace's bytes ({@link #write}) and
     * {@link #end()} it; or use {@link #tee} / {@link #start}, which do.
     *
     * @param writeClockLog write the clock log into the trace when JFR events are first enabled
     */
    public JfrBridge(Tracer tracer, boolean writeClockLog) {
        this.tracer = tracer;
        this.writeClockLog = writeClockLog;
        this.collector = new GenerationCollector(this::offer, true, false);
        this.framer = new BatchFramer(collector);
        builder.monotonicAcrossGenerations();
        this.worker = Thread.ofPlatform().daemon().name("loomtrace-jfr-bridge").unstarted(this::work);
        worker.start();
    }

    // ---------------------------------------------------------------- ways to plug it in

    /**
     * Wraps a trace sink: bytes go to {@code out} unchanged, and through the bridge into JFR.
     * <pre>{@code LoomTrace.start(JfrBridge.tee(Files.newOutputStream(path)));}</pre>
     * Closing the returned stream ends the bridge's input (after the last generation is committed)
     * and closes {@code out}.
     */
    public static TeeStream tee(OutputStream out) {
        return new TeeStream(out, new JfrBridge(Tracer.GLOBAL, true));
    }

    /** A trace sink that is only the bridge (no file): hand it to {@code LoomTrace.start}. */
    public WritableByteChannel channel() {
        return new WritableByteChannel() {
            private boolean open = true;

            @Override
            public int write(ByteBuffer src) {
                int n = src.remaining();
                if (src.hasArray()) {
                    JfrBridge.this.write(src.array(), src.arrayOffset() + src.position(), n);
                    src.position(src.limit());
                } else {
                    byte[] b = new byte[n];
                    src.get(b);
                    JfrBridge.this.write(b, 0, n);
                }
                return n;
            }

            @Override
            public boolean isOpen() {
                return open;
            }

            @Override
            public void close() {
                open = false;
                end();
            }
        };
    }

    /**
     * Starts tracing (the global tracer) with the bridge as the trace's only consumer: the trace
     * goes to JFR, not to a file. {@link #close()} stops tracing and waits until everything has
     * been committed.
     */
    public static JfrBridge start(TraceOptions options) {
        JfrBridge b = new JfrBridge(Tracer.GLOBAL, true);
        b.ownsTrace = true;
        b.ownChannel = b.channel();
        LoomTrace.start(b.ownChannel, options);
        b.writeClockLogNow();
        return b;
    }

    private boolean ownsTrace;
    private WritableByteChannel ownChannel;

    /**
     * Stops tracing if this bridge started it, ends the bridge's input and waits (up to a minute)
     * until every generation received has been committed.
     */
    @Override
    public void close() {
        if (ownsTrace) {
            ownsTrace = false;
            LoomTrace.stop();
            try {
                ownChannel.close();
            } catch (IOException ignored) {
                // our channel does not throw
            }
        } else {
            end();
        }
        awaitEnd(Duration.ofMinutes(1));
    }

    // ---------------------------------------------------------------- input (the trace reader's thread)

    /** Hands the next trace bytes to the bridge; never blocks on JFR work. */
    public void write(byte[] b, int off, int len) {
        synchronized (framing) {
            if (streamFailed || ended) {
                return;
            }
            try {
                framer.feed(b, off, len);
            } catch (IOException e) {
                streamFailed = true; // not a trace we can follow: stop bridging, never fail the sink
                System.getLogger("dev.loomtracer.jfr").log(System.Logger.Level.WARNING,
                        "Loom Tracer JFR bridge: cannot follow the trace stream, bridging stops: " + e.getMessage());
            }
        }
    }

    /** The trace stream ended: the bridge commits what it has and then finishes. */
    public void end() {
        synchronized (framing) {
            if (ended) {
                return;
            }
            ended = true;
            try {
                if (!streamFailed) {
                    collector.finish();
                }
            } catch (IOException ignored) {
                // a partial last generation is simply not bridged
            }
        }
        try {
            queue.put(END);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void offer(RawGeneration g) {
        generations.incrementAndGet();
        if (queuedBytes.get() + g.size() > QUEUE_BYTES) {
            dropped.incrementAndGet();
            gapBeforeNext = true;
            return;
        }
        queuedBytes.addAndGet(g.size());
        queue.add(g);
    }

    /** Waits until the bridge has processed everything up to the end of its input. */
    public boolean awaitEnd(Duration timeout) {
        try {
            worker.join(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !worker.isAlive();
    }

    /**
     * Waits until every generation received so far has been processed (committed, skipped or
     * dropped), up to {@code timeout}. Returns false on timeout.
     */
    public boolean awaitProcessed(Duration timeout) {
        long target = generations.get();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (processed.get() + dropped.get() < target) {
            if (System.nanoTime() - deadline > 0 || !worker.isAlive()) {
                return processed.get() + dropped.get() >= target;
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Generations received so far (complete ones handed to the bridge thread or dropped). */
    public long receivedGenerations() {
        return generations.get();
    }

    /**
     * Waits until a generation beyond the first {@code received} has arrived and everything
     * received is processed; false on timeout (e.g. nothing more arrives because tracing stopped).
     */
    public boolean awaitProcessedBeyond(long received, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (generations.get() <= received) {
            if (System.nanoTime() - deadline > 0 || ended) {
                return false;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        long left = deadline - System.nanoTime();
        return left > 0 && awaitProcessed(Duration.ofNanos(left));
    }

    public Stats stats() {
        return new Stats(generations.get(), committedGens.get(), skipped.get(), dropped.get(), invalid.get(),
                Map.copyOf(committer.committed), clockSource, lastError);
    }

    // ---------------------------------------------------------------- the bridge thread

    private void work() {
        // Load and register the event classes before the first generation arrives.
        LiveCommitter.anyBridgedTypeEnabled();
        new ClockSyncEvent().isEnabled();
        try {
            for (;;) {
                Object o = queue.take();
                if (o == END) {
                    finishAll();
                    return;
                }
                RawGeneration g = (RawGeneration) o;
                try {
                    process(g);
                } finally {
                    queuedBytes.addAndGet(-g.size());
                    processed.incrementAndGet();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            System.getLogger("dev.loomtracer.jfr").log(System.Logger.Level.ERROR,
                    "Loom Tracer JFR bridge failed; bridging stops", e);
            queue.clear();
        }
    }

    private void process(RawGeneration g) {
        boolean enabled = committer.refreshEnabled();
        if (!enabled) {
            skipped.incrementAndGet();
            gapBeforeNext = true;
            return;
        }
        if (gapBeforeNext) {
            // Generations were skipped or dropped: what we knew of each thread may be stale.
            gapBeforeNext = false;
            builder.reset();
        }
        if (!time.calibrated() || generations.get() % 8 == 0) {
            time.calibrate(new ClockSyncEvent());
        }
        if (writeClockLog && !clockLogWritten) {
            writeClockLogNow();
        }
        current.clear();
        try (TraceParser p = TraceParser.open(new SequenceInputStream(new ByteArrayInputStream(BatchLayout.FILE_HEADER),
                new ByteArrayInputStream(g.toBytes())))) {
            for (TraceEvent e; (e = p.next()) != null; ) {
                if (e.isSync()) {
                    builder.sync();
                } else {
                    builder.accept(e);
                }
            }
        } catch (TraceFormatException e) {
            invalid.incrementAndGet();
            lastError = "generation " + g.number() + ": " + e.getMessage();
            builder.reset();
            current.clear();
            return;
        } catch (IOException e) {
            invalid.incrementAndGet();
            return;
        }
        List<Episode> episodes = new ArrayList<>(current);
        current.clear();
        if (!clockKnown) {
            for (Episode e : episodes) {
                if (e instanceof Episode.Log l) {
                    ClockLog c = ClockLog.of(l);
                    if (c != null) {
                        committer.setTraceClock(c.nanoTimeAtTraceZero());
                        clockKnown = true;
                        clockSource = "clock log";
                        break;
                    }
                }
            }
        }
        pending.add(new Pending(episodes, System.nanoTime(), builder.lastTime()));
        if (!clockKnown && pending.size() > MAX_PENDING_GENERATIONS
                && builder.lastTime() - pending.getFirst().lastTraceNanos() > MAX_PENDING_NANOS) {
            // No clock log arrived: estimate from when the generations arrived (they are complete
            // within about one generation period, so this errs late by at most that much).
            long base = Long.MAX_VALUE;
            for (Pending p : pending) {
                base = Math.min(base, p.arrivalNanoTime() - p.lastTraceNanos());
            }
            committer.setTraceClock(base);
            clockKnown = true;
            clockSource = "estimated from arrival times";
        }
        if (clockKnown) {
            for (Pending p : pending) {
                for (Episode e : p.episodes()) {
                    committer.commit(e);
                }
            }
            pending.clear();
            committedGens.incrementAndGet();
        }
    }

    private void finishAll() {
        if (committer.refreshEnabled()) {
            builder.finish(builder.lastTime());
            List<Episode> last = new ArrayList<>(current);
            current.clear();
            if (!last.isEmpty() || !pending.isEmpty()) {
                if (!clockKnown) {
                    long base = Long.MAX_VALUE;
                    for (Pending p : pending) {
                        base = Math.min(base, p.arrivalNanoTime() - p.lastTraceNanos());
                    }
                    if (base == Long.MAX_VALUE) {
                        base = System.nanoTime() - builder.lastTime();
                    }
                    committer.setTraceClock(base);
                    clockKnown = true;
                    clockSource = "estimated from arrival times";
                }
                if (!time.calibrated()) {
                    time.calibrate(new ClockSyncEvent());
                }
                for (Pending p : pending) {
                    for (Episode e : p.episodes()) {
                        committer.commit(e);
                    }
                }
                pending.clear();
                for (Episode e : last) {
                    committer.commit(e);
                }
            }
        }
    }

    /**
     * Writes the clock log into the trace and the matching ClockSync event into JFR, from the
     * current thread, through the engine's writer SPI. Returns false if tracing is off.
     */
    boolean writeClockLogNow() {
        boolean ok = writeClockLog(tracer);
        if (ok) {
            clockLogWritten = true;
        }
        return ok;
    }

    /**
     * Writes a clock log into {@code tracer}'s trace and the matching ClockSync event into JFR
     * (same System.nanoTime() value), from the current thread, through the engine's writer SPI.
     * Returns false if tracing is off.
     */
    public static boolean writeClockLog(Tracer tracer) {
        long nano = System.nanoTime();
        Instant now = Instant.now();
        long epoch = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        TraceWriter w = tracer.acquire();
        if (w == null) {
            return false;
        }
        try {
            w.userLog(Thread.currentThread(), 0, ClockLog.CATEGORY, ClockLog.message(nano, epoch), null);
        } finally {
            tracer.release(w);
        }
        ClockSyncEvent e = new ClockSyncEvent();
        e.nanoTime = nano;
        e.traceNanos = -1;
        e.commit();
        return true;
    }

    /** The bundled settings file (loomtracer.jfc), which enables every bridged event type. */
    public static String settingsFile() {
        try (var in = JfrBridge.class.getResourceAsStream("/dev/loomtracer/jfr/loomtracer.jfc")) {
            if (in == null) {
                throw new IllegalStateException("loomtracer.jfc is missing from the jfr-bridge jar");
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The bundled settings as a JFR configuration, for {@code new Recording(configuration)}. */
    public static jdk.jfr.Configuration settings() {
        try {
            return jdk.jfr.Configuration.create(new java.io.StringReader(settingsFile()));
        } catch (IOException | java.text.ParseException e) {
            throw new IllegalStateException("loomtracer.jfc does not parse", e);
        }
    }

    /** For tests and diagnostics: the bridge's thread. */
    Thread worker() {
        return worker;
    }

    static long elapsedMillis(long since) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
    }
}

package dev.loomtracer.jfr.live;

import dev.loomtracer.LoomTrace;
import dev.loomtracer.TraceOptions;
import dev.loomtracer.engine.Tracer;
import dev.loomtracer.jfr.events.BridgeFlushEvent;

import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Tracing that follows JFR: once installed, the tracer runs (with the bridge as its consumer)
 * exactly while some running recording enables a Loom Tracer event type, e.g. one started with
 * {@code -XX:StartFlightRecording:settings=default,settings=/path/loomtracer.jfc} or
 * {@code jcmd PID JFR.start settings=default settings=/path/loomtracer.jfc}. At the end of each chunk (a dump, a stop) the bridge is flushed
 * first, so the recording holds the trace up to that moment.
 *
 * <p>Invariants: start and stop decisions run on one control thread, never in JFR's callback;
 * the bridge never stops a trace it did not start; while no recording enables the types the
 * tracer is off, which costs the application one load per hook (the engine's enabled flag); the
 * bridge of a trace it starts is published ({@link #bridge()}) before that trace runs, so the
 * end-of-chunk flush finds it whenever the trace runs.
 */
public final class AutoBridge implements AutoCloseable {
    /** How long JFR's end-of-chunk hook waits, by default, for the bridge to commit the trace so far. */
    public static final Duration FLUSH_WAIT = Duration.ofSeconds(2);

    private static AutoBridge installed;

    private final TraceOptions options;
    private final Duration flushWait;
    private final ExecutorService control = Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().daemon().name("loomtrace-jfr-control").unstarted(r));
    private final FlightRecorderListener listener = new FlightRecorderListener() {
        @Override
        public void recordingStateChanged(Recording recording) {
            control.execute(AutoBridge.this::reconcile);
        }
    };
    private final Runnable flushHook = this::flushForJfr;
    private volatile JfrBridge bridge;
    private volatile boolean closed;

    private AutoBridge(TraceOptions options, Duration flushWait) {
        this.options = options;
        this.flushWait = flushWait;
    }

    /**
     * Installs the bridge for this JVM (once; later calls return the same installation).
     * {@code options} are those of the traces it starts; a short generation period (the default
     * here, 200 ms) keeps the recording close behind the application.
     */
    public static AutoBridge install(TraceOptions options) {
        return install(options, FLUSH_WAIT);
    }

    /**
     * {@link #install(TraceOptions)}, with the longest JFR's end-of-chunk hook waits for the
     * bridge to commit the trace so far ({@link #FLUSH_WAIT} by default: JFR's dump or stop waits
     * that long at most; a flush that does not finish in time is recorded with
     * {@code flushed=false}).
     */
    public static synchronized AutoBridge install(TraceOptions options, Duration flushWait) {
        if (installed == null) {
            AutoBridge a = new AutoBridge(options, flushWait);
            FlightRecorder.addPeriodicEvent(BridgeFlushEvent.class, a.flushHook);
            FlightRecorder.addListener(a.listener);
            a.control.execute(a::reconcile);
            installed = a;
        }
        return installed;
    }

    /** Installs with a 200 ms generation period and stacks where threads block. */
    public static AutoBridge install() {
        return install(TraceOptions.defaults().generationPeriod(Duration.ofMillis(200))
                .stacks(TraceOptions.Stacks.ON_BLOCK));
    }

    /** The bridge of the trace this installation runs now, or null. */
    public JfrBridge bridge() {
        return bridge;
    }

    private static boolean wanted() {
        if (!FlightRecorder.isInitialized()) {
            return false;
        }
        boolean running = false;
        for (Recording r : FlightRecorder.getFlightRecorder().getRecordings()) {
            running |= r.getState() == RecordingState.RUNNING;
        }
        return running && LiveCommitter.anyBridgedTypeEnabled();
    }

    private void reconcile() {
        boolean want = !closed && wanted();
        JfrBridge b = bridge;
        if (want && b == null) {
            if (LoomTrace.isRunning()) {
                System.getLogger("dev.loomtracer.jfr").log(System.Logger.Level.INFO,
                        "Loom Tracer JFR bridge: a trace is already running; use JfrBridge.tee on its sink to bridge it");
                return;
            }
            // Published before the trace starts: a recording stopped as soon as the trace runs
            // has its end-of-chunk flush (flushForJfr) find this bridge and wait for its commit.
            // Published after (as it was), the flush could find none while the trace ran and
            // end the recording without a single bridged event (AutoBridgeTest, under load).
            JfrBridge nb = new JfrBridge();
            bridge = nb;
            try {
                nb.startTracing(options);
            } catch (IllegalStateException e) {
                bridge = null;
                System.getLogger("dev.loomtracer.jfr").log(System.Logger.Level.WARNING,
                        "Loom Tracer JFR bridge: cannot start tracing: " + e.getMessage());
            }
        } else if (!want && b != null) {
            bridge = null;
            b.close();
        }
    }

    /** JFR's end-of-chunk hook: ends the current generation and waits until it is committed. */
    private void flushForJfr() {
        BridgeFlushEvent e = new BridgeFlushEvent();
        JfrBridge b = bridge;
        boolean flushed = true;
        if (b != null) {
            // Every event before this flush is in the current generation or an earlier one: end
            // it and wait until the bridge has processed it (by number: a wait for "one more
            // generation received" was met by an earlier generation still on its way through
            // the reader, and the recording then lacked the last generation's events).
            long current = Tracer.GLOBAL.generation();
            Tracer.GLOBAL.advanceNow();
            flushed = current == 0 || b.awaitProcessedThrough(current, flushWait);
            JfrBridge.Stats s = b.stats();
            e.generations = s.generations();
            e.droppedGenerations = s.droppedGenerations();
        }
        e.flushed = flushed;
        e.commit();
    }

    /** Stops the trace this installation started (if any) and uninstalls. */
    @Override
    public void close() {
        synchronized (AutoBridge.class) {
            closed = true;
            FlightRecorder.removeListener(listener);
            FlightRecorder.removePeriodicEvent(flushHook);
            if (installed == this) {
                installed = null;
            }
        }
        try {
            control.submit(this::reconcile).get();
        } catch (Exception ignored) {
            // best effort
        }
        control.shutdown();
    }
}

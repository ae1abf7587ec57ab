package dev.loomtracer.jfr.imports;

import dev.loomtracer.LoomTrace;
import dev.loomtracer.TraceOptions;
import dev.loomtracer.TraceResult;
import dev.loomtracer.engine.Tracer;
import dev.loomtracer.jfr.events.LoomEvents;
import dev.loomtracer.jfr.events.ClockSyncEvent;
import dev.loomtracer.jfr.model.ClockLog;

import jdk.jfr.Recording;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A trace with JFR's CPU samples and GC in it: starts a JFR recording (execution samples, GC
 * collections and pauses) alongside the trace, and at {@link #stop()} merges the recording into
 * the trace ({@link JfrMerger}), so {@code go tool trace} shows where the virtual threads spent CPU
 * and when the JVM collected garbage.
 *
 * <pre>{@code
 * JfrImport rec = JfrImport.start(Path.of("app.trace"), TraceOptions.defaults(), Duration.ofMillis(10));
 * ... run the workload ...
 * JfrMerger.Result r = rec.stop();   // app.trace now holds CPUSample and GC events
 * }</pre>
 *
 * <p>Invariant: JFR is read only after tracing has stopped, never under the trace lock (Go CL 496296);
 * a clock log in the trace and a ClockSync event in the recording, written at the same moment,
 * line the two clocks up.
 */
public final class JfrImport {
    private final Path out;
    private final Path partialTrace;
    private final Path recordingFile;
    private final OutputStream stream;
    private final Recording recording;
    private boolean stopped;
    private TraceResult traceResult;

    private JfrImport(Path out, Path partialTrace, Path recordingFile, OutputStream stream, Recording recording) {
        this.out = out;
        this.partialTrace = partialTrace;
        this.recordingFile = recordingFile;
        this.stream = stream;
        this.recording = recording;
    }

    /**
     * Starts tracing into {@code out} (written at {@link #stop()}) and a JFR recording sampling
     * CPU every {@code samplePeriod}.
     */
    public static JfrImport start(Path out, TraceOptions options, Duration samplePeriod) throws IOException {
        Path abs = out.toAbsolutePath();
        Path partial = abs.resolveSibling(abs.getFileName() + ".partial");
        Path jfr = abs.resolveSibling(abs.getFileName() + ".jfr-import.jfr");
        Recording r = new Recording();
        r.setName("Loom Tracer JFR import");
        r.enable("jdk.ExecutionSample").withPeriod(samplePeriod);
        r.enable("jdk.GarbageCollection").withoutThreshold();
        r.enable("jdk.GCPhasePause").withoutThreshold();
        r.enable(LoomEvents.CLOCK_SYNC);
        r.setToDisk(true);
        r.start();
        OutputStream s = Files.newOutputStream(partial);
        try {
            LoomTrace.start(s, options);
        } catch (RuntimeException e) {
            s.close();
            r.close();
            Files.deleteIfExists(partial);
            throw e;
        }
        writeClockLog();
        return new JfrImport(abs, partial, jfr, s, r);
    }

    /** Where the recording is kept after {@link #stop()} when {@link #stop(boolean)} keeps it. */
    public Path recordingFile() {
        return recordingFile;
    }

    /** What tracing wrote (after {@link #stop()}). */
    public TraceResult traceResult() {
        return traceResult;
    }

    /** Stops tracing and recording, merges, deletes the recording. */
    public JfrMerger.Result stop() throws IOException {
        return stop(false);
    }

    /** Stops tracing and recording and merges; keeps the recording at {@link #recordingFile()} if asked. */
    public synchronized JfrMerger.Result stop(boolean keepRecording) throws IOException {
        if (stopped) {
            throw new IllegalStateException("already stopped");
        }
        stopped = true;
        try {
            traceResult = LoomTrace.stop();
        } finally {
            stream.close();
            recording.stop();
            recording.dump(recordingFile);
            recording.close();
        }
        try {
            return JfrMerger.merge(partialTrace, recordingFile, out);
        } finally {
            Files.deleteIfExists(partialTrace);
            if (!keepRecording) {
                Files.deleteIfExists(recordingFile);
            }
        }
    }

    /**
     * Writes a clock anchor into the running trace and a ClockSync event with the same
     * {@code System.nanoTime()} into JFR, from the current thread, through the engine's writer SPI,
     * so the merge maps the recording's time to the trace's exactly ({@link JfrMerger}): for a trace
     * and a recording run side by side without {@link #start}. The importer runs the trace it writes
     * into; the live bridge, a consumer, writes nothing into it. Returns false if tracing is off.
     */
    public static boolean writeClockLog() {
        Tracer tracer = Tracer.GLOBAL;
        long nano = System.nanoTime();
        java.time.Instant now = java.time.Instant.now();
        long epoch = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        if (!tracer.emit(w -> w.userLog(Thread.currentThread(), 0, ClockLog.CATEGORY, ClockLog.message(nano, epoch), null))) {
            return false;
        }
        ClockSyncEvent e = new ClockSyncEvent();
        e.nanoTime = nano;
        e.traceNanos = -1;
        e.commit();
        return true;
    }
}

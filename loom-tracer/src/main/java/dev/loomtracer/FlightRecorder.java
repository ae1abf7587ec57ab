package dev.loomtracer;

import dev.loomtracer.engine.FlightRecording;
import dev.loomtracer.engine.Tracer;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;

/**
 * Keeps the most recent part of the trace in memory and writes it on demand, without stopping
 * (Go 1.25's {@code trace.FlightRecorder}): run it all the time, and snapshot when a request
 * was slow.
 *
 * <pre>{@code
 * FlightRecorder fr = FlightRecorder.start(Duration.ofSeconds(10), 32 << 20);
 * ...
 * try (var out = Files.newOutputStream(Path.of("slow.trace"))) { fr.writeTo(out); }
 * }</pre>
 *
 * The window holds at least {@code minAge} of history, unless that would take more than
 * {@code maxBytes}: the byte bound wins. A snapshot is a complete, valid trace of whole
 * generations. It runs instead of, not beside, {@link LoomTrace}: one trace per JVM.
 */
public final class FlightRecorder {
    private static final Object CONTROL = new Object();
    private static FlightRecorder running;

    private final FlightRecording recording;

    private FlightRecorder(FlightRecording recording) {
        this.recording = recording;
    }

    /** Starts a flight recorder with default trace options. */
    public static FlightRecorder start(Duration minAge, long maxBytes) {
        return start(minAge, maxBytes, TraceOptions.defaults());
    }

    /**
     * Starts tracing into memory.
     *
     * @throws IllegalStateException if a trace or flight recorder is already running
     */
    public static FlightRecorder start(Duration minAge, long maxBytes, TraceOptions options) {
        synchronized (CONTROL) {
            FlightRecorder fr = new FlightRecorder(FlightRecording.start(Tracer.GLOBAL, options, minAge, maxBytes));
            running = fr;
            return fr;
        }
    }

    /** The running flight recorder, or null. */
    public static FlightRecorder current() {
        synchronized (CONTROL) {
            return running;
        }
    }

    /**
     * Writes a trace of the window, up to now, to {@code out} (not closed). Returns bytes written.
     */
    public long writeTo(OutputStream out) throws IOException {
        try {
            return recording.writeTo(out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while taking a flight recorder snapshot");
        }
    }

    /**
     * Hands every generation completed from now on (its bytes; {@code FlightTriggers} prefixes the
     * trace header to read one as a complete trace) to {@code listener}, on the recorder's own
     * thread: the listener must only hand it on. One listener; null removes it.
     */
    public void onGeneration(java.util.function.Consumer<byte[]> listener) {
        recording.onGeneration(listener);
    }

    /** Bytes of trace currently kept in memory. */
    public long keptBytes() {
        return recording.keptBytes();
    }

    /** Stops tracing and frees the window. */
    public TraceResult stop() {
        synchronized (CONTROL) {
            if (running == this) {
                running = null;
            }
            TraceResult s = recording.stop();
            return s == null ? null : s.withBytes(0); // the recorder's own reader took them, not the program
        }
    }
}

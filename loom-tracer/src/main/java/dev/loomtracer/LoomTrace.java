package dev.loomtracer;

import dev.loomtracer.engine.Tracer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Starts and stops the execution trace of this JVM (Go's {@code runtime/trace} Start/Stop).
 *
 * <pre>{@code
 * try (var out = Files.newOutputStream(Path.of("app.trace"))) {
 *     LoomTrace.start(out);
 *     ... run the workload ...
 *     LoomTrace.stop();
 * }
 * }</pre>
 *
 * The trace is in Go's execution trace format: open it with {@code go tool trace app.trace}.
 * Events come from the capture layer (the Loom Tracer agent or tracing scheduler) and from the
 * annotations in {@link Task}, {@link Region} and {@link #log}. One trace runs at a time in a JVM,
 * whether streamed, read with {@link #readTrace()}, or kept by a {@link FlightRecorder}.
 *
 * <p>The JVM needs {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED
 * --add-exports java.base/jdk.internal.vm=ALL-UNNAMED --add-exports java.base/jdk.internal.access=ALL-UNNAMED}
 * unless the Loom Tracer agent is loaded.
 */
public final class LoomTrace {
    private LoomTrace() {}

    private static final Object CONTROL = new Object();
    private static Pump pump;
    /**
     * Runs the stop a pump asks for when its sink fails (it cannot stop the trace itself: stop
     * waits for it to drain): on a thread of its own. A seam for ApiTest, which holds that stop
     * back until another trace runs.
     */
    static volatile java.util.function.Consumer<Runnable> stopOnError =
            r -> Thread.ofPlatform().daemon().name("loomtrace-stop-on-error").start(r);

    /** Starts tracing into {@code out} with default options. */
    public static void start(OutputStream out) {
        start(out, TraceOptions.defaults());
    }

    /** Starts tracing into {@code out}; {@link #stop()} flushes it but does not close it. */
    public static void start(OutputStream out, TraceOptions options) {
        start(Channels.newChannel(out), out, options);
    }

    /**
     * Starts tracing into {@code sink}; a background thread writes the trace as generations
     * complete. The sink is not closed by {@link #stop()}.
     *
     * @throws IllegalStateException if a trace is already running, or the JVM lacks the options
     *     the tracer needs
     */
    public static void start(WritableByteChannel sink, TraceOptions options) {
        start(sink, null, options);
    }

    private static void start(WritableByteChannel sink, OutputStream flushable, TraceOptions options) {
        synchronized (CONTROL) {
            Tracer.GLOBAL.start(options);
            pump = new Pump(sink, flushable, Tracer.GLOBAL.sessionNumber());
            pump.thread.start();
        }
    }

    /**
     * Starts tracing for a custom reader: the caller must then call {@link #readTrace()} until it
     * returns null, from one thread.
     */
    public static void startForReading(TraceOptions options) {
        synchronized (CONTROL) {
            Tracer.GLOBAL.start(options);
        }
    }

    /**
     * The next chunk of the trace, blocking until one is ready; null after the end. The buffer
     * is valid until the next call. Only for {@link #startForReading}; a second concurrent
     * reader gets {@link IllegalStateException}.
     */
    public static ByteBuffer readTrace() throws InterruptedException {
        return Tracer.GLOBAL.readTrace();
    }

    /**
     * True while a trace (streamed, read, or flight-recorded) is running: false once it is
     * stopped, and also once it ended by itself (its reader fell behind until buffer memory ran
     * out; {@link #stop()} then returns a result that says when and why).
     */
    public static boolean isRunning() {
        return Tracer.GLOBAL.isRunning();
    }

    /**
     * Stops tracing and returns once the whole trace has been handed to the sink (or reader).
     * A no-op returning null when no trace runs. With {@link #startForReading} this waits until
     * the reader has read to the end, as Go's StopTrace does.
     *
     * @throws UncheckedIOException if writing to the sink failed; tracing is stopped anyway
     */
    public static TraceResult stop() {
        synchronized (CONTROL) {
            TraceResult s = Tracer.GLOBAL.stop();
            Pump p = pump;
            pump = null;
            if (s == null && p != null) {
                s = p.stoppedOnError; // the pump stopped the trace when the sink failed
            }
            if (s == null) {
                return null;
            }
            long bytes = s.bytes(); // what the program's own reader took; the pump below counts what reached the sink
            if (p != null) {
                p.join();
                bytes = p.bytes.get();
                if (p.failure != null) {
                    throw new UncheckedIOException("writing the trace failed after " + bytes + " bytes: "
                            + p.failure.getMessage(), p.failure);
                }
            }
            return s.withBytes(bytes);
        }
    }

    /** Logs a message under {@code category} on the current thread (a Go trace.Log). */
    public static void log(String category, String message) {
        Annotations.log(0, category, message);
    }

    /** Writes the trace to the sink; on a sink error, keeps draining so tracing can stop. */
    private static final class Pump {
        final Thread thread;
        final AtomicLong bytes = new AtomicLong();
        volatile IOException failure;
        volatile TraceResult stoppedOnError;
        private final WritableByteChannel sink;
        private final OutputStream flushable;
        /** The trace this pump writes: a sink failure stops it, and no later one. */
        private final long session;

        Pump(WritableByteChannel sink, OutputStream flushable, long session) {
            this.sink = sink;
            this.flushable = flushable;
            this.session = session;
            this.thread = Thread.ofPlatform().daemon().name("loomtrace-writer").unstarted(this::run);
        }

        private void run() {
            try {
                for (ByteBuffer b; (b = Tracer.GLOBAL.readTrace()) != null; ) {
                    if (failure != null) {
                        continue; // discard: the sink is broken, but the trace must drain to stop
                    }
                    Tracer.checkOutsideTraceLock("a trace sink's I/O");
                    try {
                        while (b.hasRemaining()) {
                            bytes.addAndGet(sink.write(b));
                        }
                    } catch (IOException e) {
                        failure = e;
                        // The reason, not a stack trace: this lands on the host program's stderr.
                        System.getLogger("dev.loomtracer").log(System.Logger.Level.WARNING,
                                "Loom Tracer: writing the trace failed after " + bytes.get() + " bytes (" + e
                                        + "); tracing stopped");
                        // This trace only: the stop can run late, after stop() has ended this
                        // trace and another has started, and must not end that one (ApiTest).
                        stopOnError.accept(() -> stoppedOnError = Tracer.GLOBAL.stop(session));
                    }
                }
                if (flushable != null && failure == null) {
                    flushable.flush();
                }
            } catch (IOException e) {
                failure = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void join() {
            boolean interrupted = false;
            for (;;) {
                try {
                    thread.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

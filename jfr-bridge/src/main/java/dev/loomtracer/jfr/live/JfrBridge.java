package dev.loomtracer.jfr.live;

import dev.loomtracer.LoomTrace;
import dev.loomtracer.TraceOptions;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The live JFR bridge: while a JFR recording has the Loom Tracer event types enabled, the
 * tracer's events are also committed as JFR events ({@link dev.loomtracer.jfr.events}).
 *
 * <p>Design: the bridge is a consumer of the trace stream, so the engine knows nothing of JFR,
 * and the bridge never writes into the trace. Its parts: {@link GenerationInbox} frames the bytes
 * the trace reader hands out into generations and queues them; {@link BridgeLoop}, on the
 * bridge's own thread, parses each generation (only when a recording wants the events), pairs its
 * events into episodes and commits them with explicit start times and durations;
 * {@link ClockAlignment} maps trace time to {@code System.nanoTime()} with the clock anchor the
 * engine writes in every generation. This class plugs them in: as a tee in front of any trace
 * sink ({@link #tee}), as the trace's only sink ({@link #start}), or started and stopped with the
 * recordings that enable its events ({@link AutoBridge}).
 *
 * <p>Invariants. The trace reader never blocks on the bridge: when the bridge's queue is full,
 * the generation is dropped from JFR (and counted), never from the trace. Events are committed
 * at most once, about one generation period after they happened.
 */
public final class JfrBridge implements AutoCloseable {
    /** Bytes of generations waiting for the bridge thread, at most; more are dropped from JFR. */
    private static final long QUEUE_BYTES = 64L << 20;

    /** Counters of a bridge. */
    public record Stats(long generations, long committedGenerations, long skippedGenerations,
                        long droppedGenerations, long invalidGenerations, Map<String, Long> committed,
                        String clock, String lastError) {}

    private final GenerationInbox inbox = new GenerationInbox(QUEUE_BYTES);
    private final BridgeLoop loop = new BridgeLoop(inbox);
    private final Thread worker;
    private boolean ownsTrace;
    private WritableByteChannel ownChannel;

    /**
     * A bridge for a trace stream. Feed it the trace's bytes ({@link #write}) and {@link #end()}
     * it; or use {@link #tee} / {@link #start}, which do.
     */
    public JfrBridge() {
        this.worker = Thread.ofPlatform().daemon().name("loomtrace-jfr-bridge").start(loop);
    }

    // ---------------------------------------------------------------- ways to plug it in

    /**
     * Wraps a trace sink: bytes go to {@code out} unchanged, and through the bridge into JFR.
     * <pre>{@code LoomTrace.start(JfrBridge.tee(Files.newOutputStream(path)));}</pre>
     * Closing the returned stream ends the bridge's input (after the last generation is committed)
     * and closes {@code out}.
     */
    public static TeeStream tee(OutputStream out) {
        return new TeeStream(out, new JfrBridge());
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
        JfrBridge b = new JfrBridge();
        b.startTracing(options);
        return b;
    }

    /**
     * Starts tracing (the global tracer) into this bridge, once: what {@link #start} does, for a
     * caller that must publish the bridge before the trace runs ({@link AutoBridge}: its
     * end-of-chunk flush must find the bridge as soon as the trace runs). If tracing cannot
     * start, the bridge's input ends and the exception is thrown.
     */
    void startTracing(TraceOptions options) {
        ownChannel = channel();
        try {
            LoomTrace.start(ownChannel, options);
        } catch (RuntimeException e) {
            end();
            throw e;
        }
        ownsTrace = true;
    }

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
        inbox.write(b, off, len);
    }

    /** The trace stream ended: the bridge commits what it has and then finishes. */
    public void end() {
        inbox.end();
    }

    // ---------------------------------------------------------------- waiting and counters

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
        long target = inbox.received();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (inbox.processed() + inbox.dropped() < target) {
            if (System.nanoTime() - deadline > 0 || !worker.isAlive()) {
                return inbox.processed() + inbox.dropped() >= target;
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
        return inbox.received();
    }

    /**
     * Waits until the trace's generation {@code generation} (its number in the trace) has been
     * processed (committed, skipped or dropped), or the input ended and everything received was
     * processed; false on timeout. Waiting for a count of generations instead is wrong: a
     * generation ended earlier, still on its way through the trace's reader, would satisfy it.
     */
    public boolean awaitProcessedThrough(long generation, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (inbox.handledThrough() < generation) {
            if (inbox.ended() && !worker.isAlive()) {
                return true; // the input ended and was processed to its end
            }
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    public Stats stats() {
        return new Stats(inbox.received(), loop.committedGenerations.get(), loop.skipped.get(), inbox.dropped(),
                loop.invalid.get(), loop.committed(), loop.clockSource(), loop.lastError());
    }

    // ---------------------------------------------------------------- settings

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
}

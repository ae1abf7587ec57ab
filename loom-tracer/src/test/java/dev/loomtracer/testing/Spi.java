package dev.loomtracer.testing;

import dev.loomtracer.TraceOptions;
import dev.loomtracer.TraceResult;
import dev.loomtracer.engine.TraceWriter;
import dev.loomtracer.engine.Tracer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Driving the engine's capture SPI from a test the way a capture layer does: one write per
 * event inside the acquire/release bracket, and a reader thread that writes the trace to a file.
 * The one home of these fixtures for every module's tests (the engine's test-jar).
 *
 * <p>Invariant: {@link #emit} runs its body only inside a write and always releases it; a pump
 * reads until the trace's end (the reader's null), writing every byte it is handed.
 */
public final class Spi {
    private Spi() {}

    /** Runs {@code body} inside a write on the calling thread's M (nothing when tracing is off). */
    public static void emit(Tracer t, Consumer<TraceWriter> body) {
        TraceWriter w = t.acquire();
        if (w != null) {
            try {
                body.accept(w);
            } finally {
                t.release(w);
            }
        }
    }

    /**
     * Reads the trace of {@code t} into {@code ch} until its end, on the calling thread; adds every
     * byte written to {@code written} (may be null). Returns the number of bytes.
     */
    public static long drain(Tracer t, WritableByteChannel ch, AtomicLong written) throws IOException, InterruptedException {
        long n = 0;
        for (ByteBuffer b; (b = t.readTrace()) != null; ) {
            while (b.hasRemaining()) {
                int k = ch.write(b);
                n += k;
                if (written != null) {
                    written.addAndGet(k);
                }
            }
        }
        return n;
    }

    /** Starts a platform thread that reads the running trace of {@code t} into {@code file} until its end. */
    public static Thread pumpTo(Tracer t, Path file) throws IOException {
        return pumpTo(t, file, Thread.ofPlatform().name("test-reader"));
    }

    /** As {@link #pumpTo(Tracer, Path)}, on a thread {@code reader} starts (a virtual one, say). */
    public static Thread pumpTo(Tracer t, Path file, Thread.Builder reader) throws IOException {
        return pumpTo(t, file, reader, null);
    }

    /** As {@link #pumpTo(Tracer, Path, Thread.Builder)}, adding the bytes written to {@code written} as they are. */
    public static Thread pumpTo(Tracer t, Path file, Thread.Builder reader, AtomicLong written) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        return reader.start(() -> {
            try (ch) {
                drain(t, ch, written);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                throw new IllegalStateException("the test's trace reader was interrupted", e);
            }
        });
    }

    /**
     * Starts a platform thread named {@code name} that reads the trace of {@code t} into
     * {@code sink} (which it does not close) until its end.
     */
    public static Thread pumpInto(Tracer t, WritableByteChannel sink, String name) {
        return Thread.ofPlatform().name(name).start(() -> {
            try {
                drain(t, sink, null);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                throw new IllegalStateException("the test's trace reader was interrupted", e);
            }
        });
    }

    /** What a test tells a tracer ({@link #traceTo}). */
    public interface Script {
        void run(Tracer t) throws Exception;
    }

    /**
     * Runs {@code script} against a new tracer whose trace goes to {@code file} (generations of
     * 10 s or 1 MiB, 8 MiB of buffers: one generation for a short script), then stops it and
     * waits until the file is whole. Check the file with {@link CheckedTrace#of}.
     */
    public static void traceTo(Path file, Script script) throws Exception {
        traceTo(file, TraceOptions.defaults().generationPeriod(Duration.ofSeconds(10))
                .generationBytes(1L << 20)
                .bufferMemory(8L << 20), script);
    }

    /**
     * Runs {@code script} against a new tracer started with {@code options} whose trace goes to
     * {@code file} (a reader thread writes it), then stops it and waits until the file is whole;
     * returns the tracer's counters.
     */
    public static TraceResult traceTo(Path file, TraceOptions options, Script script) throws Exception {
        Tracer t = Tracer.newInstance();
        t.start(options);
        Thread pump = pumpTo(t, file);
        try {
            script.run(t);
        } catch (Throwable e) {
            t.stop();
            join(pump);
            throw e;
        }
        TraceResult stats = t.stop();
        join(pump);
        return stats;
    }

    /** What a traced run left: the tracer's counters and its trace, judged by both judges. */
    public record Traced(TraceResult stats, CheckedTrace trace) {}

    /** {@link #traceTo(Path, TraceOptions, Script)}, then the file judged by both judges ({@link CheckedTrace#of}). */
    public static Traced traced(Path file, TraceOptions options, Script script) throws Exception {
        TraceResult stats = traceTo(file, options, script);
        return new Traced(stats, CheckedTrace.of(file));
    }

    /**
     * Runs {@code body} on a new platform thread named {@code name} (its own M), waits for it to
     * terminate and returns it; fails if it has not within a minute (a writer never waits for
     * another).
     */
    public static Thread onNewThread(String name, Runnable body) {
        Thread th = Thread.ofPlatform().name(name).start(body);
        join(th);
        return th;
    }

    /** Waits for {@code th} to terminate; fails if it has not within a minute. */
    public static void join(Thread th) {
        try {
            if (!th.join(Duration.ofMinutes(1))) {
                throw new AssertionError(th.getName() + " did not finish within a minute (a writer must never wait for another)");
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Waits for a test's gate {@code l} to open; fails if it has not within a minute. */
    public static void await(CountDownLatch l) {
        try {
            if (!l.await(1, TimeUnit.MINUTES)) {
                throw new AssertionError("a gate did not open within a minute");
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}

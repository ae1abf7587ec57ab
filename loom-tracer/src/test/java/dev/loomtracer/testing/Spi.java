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

    /** Runs {@code body} inside a write on the calling thread's M (nothing when tracing is off): {@link Tracer#emit}. */
    public static void emit(Tracer t, Consumer<TraceWriter> body) {
        t.emit(body);
    }

    // A virtual thread's story as a scheduler tells it, each step on a new platform thread (its own M).

    /** {@code vt} is created by a new platform thread named {@code creator}; {@code blocked}: first seen waiting (GoCreateBlocked). */
    public static void created(Tracer t, String creator, Thread vt, boolean blocked) {
        onNewThread(creator, () -> emit(t, w -> w.goCreate(Thread.currentThread(), vt, blocked, null, null)));
    }

    /** {@code vt} starts on a new platform thread named {@code carrier}, which then tells {@code then}, one write each. */
    @SafeVarargs
    public static void runs(Tracer t, String carrier, Thread vt, Consumer<TraceWriter>... then) {
        onNewThread(carrier, () -> {
            emit(t, w -> w.goStart(vt));
            for (Consumer<TraceWriter> event : then) {
                emit(t, event);
            }
        });
    }

    /** {@code vt} starts on a new platform thread named {@code carrier} and blocks there for {@code reason}. */
    public static void blocks(Tracer t, String carrier, Thread vt, String reason) {
        runs(t, carrier, vt, w -> w.goBlock(vt, reason, null));
    }

    /** A new platform thread named {@code waker} unblocks {@code vt}. */
    public static void unblocked(Tracer t, String waker, Thread vt) {
        onNewThread(waker, () -> emit(t, w -> w.goUnblock(vt, Thread.currentThread(), null)));
    }

    /** {@code vt} starts on a new platform thread named {@code carrier} and ends there. */
    public static void runsToEnd(Tracer t, String carrier, Thread vt) {
        runs(t, carrier, vt, w -> w.goDestroy(vt));
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

    /** What a test tells a tracer ({@link #traced}). */
    public interface Script {
        void run(Tracer t) throws Exception;
    }

    /** What a test tells a tracer and hands back, to check after the trace is whole ({@link #tracedValue}). */
    public interface ValueScript<R> {
        R run(Tracer t) throws Exception;
    }

    /** What a traced run left: the script's value (null for a {@link Script}), the tracer's counters and its trace, judged by both judges. */
    public record Traced<R>(R value, TraceResult stats, CheckedTrace trace) {}

    /**
     * {@link #traced(Path, TraceOptions, Script)} with generations of 10 s or 1 MiB and 8 MiB of
     * buffers: one generation for a short script.
     */
    public static Traced<Void> traced(Path file, Script script) throws Exception {
        return traced(file, TraceOptions.defaults().generationPeriod(Duration.ofSeconds(10))
                .generationBytes(1L << 20)
                .bufferMemory(8L << 20), script);
    }

    /** What a test tells of one virtual thread ({@link #tracedThread}). */
    public interface ThreadScript {
        void run(Tracer t, Thread vt) throws Exception;
    }

    /**
     * {@link #traced(Path, Script)} of one virtual thread's story: a new unstarted virtual thread,
     * {@link #created} by a platform thread named {@code creator}, then {@code story}. The thread
     * is the value handed back.
     */
    public static Traced<Thread> tracedThread(Path file, ThreadScript story) throws Exception {
        Thread vt = Thread.ofVirtual().unstarted(() -> { });
        Traced<Void> run = traced(file, t -> {
            created(t, "creator", vt, false);
            story.run(t, vt);
        });
        return new Traced<>(vt, run.stats(), run.trace());
    }

    /** {@link #tracedValue} for a script that hands nothing back. */
    public static Traced<Void> traced(Path file, TraceOptions options, Script script) throws Exception {
        return tracedValue(file, options, t -> {
            script.run(t);
            return null;
        });
    }

    /**
     * Runs {@code script} against a new tracer started with {@code options} whose trace goes to
     * {@code file} (a reader thread writes it), then stops it (also when the script fails), waits
     * until the file is whole and judges it by both judges ({@link CheckedTrace#of}); returns what
     * the script returned, the tracer's counters and the checked trace.
     */
    public static <R> Traced<R> tracedValue(Path file, TraceOptions options, ValueScript<R> script) throws Exception {
        Tracer t = Tracer.newInstance();
        t.start(options);
        Thread pump = pumpTo(t, file);
        R value;
        try {
            value = script.run(t);
        } catch (Throwable e) {
            t.stop();
            join(pump);
            throw e;
        }
        TraceResult stats = t.stop();
        join(pump);
        return new Traced<>(value, stats, CheckedTrace.of(file));
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

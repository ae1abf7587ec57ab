package dev.loomtracer.hooks;

import dev.loomtracer.TraceOptions;
import dev.loomtracer.TraceResult;
import dev.loomtracer.engine.Tracer;
import dev.loomtracer.testing.Spi;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;

/** Drives the engine directly (for its full loss counters): start, a reader pumping into a file, stop. */
final class Recording {
    interface Body {
        void run() throws Exception;
    }

    private Recording() {}

    /** Traces {@code body} into {@code file}; short generations so boundaries are crossed. */
    static TraceResult record(Path file, TraceOptions.Stacks stacks, Body body) throws Exception {
        Tracer t = Tracer.GLOBAL;
        t.start(TraceOptions.defaults().generationPeriod(Duration.ofMillis(50)).generationBytes(1 << 20).stacks(stacks));
        AtomicReference<Throwable> pumpFailure = new AtomicReference<>();
        Thread pump = Thread.ofPlatform().name("test-trace-reader").start(() -> {
            try (FileChannel ch = FileChannel.open(file, CREATE, WRITE, TRUNCATE_EXISTING)) {
                Spi.drain(t, ch, null);
            } catch (IOException | InterruptedException | RuntimeException e) {
                pumpFailure.set(e);
            }
        });
        TraceResult stats;
        try {
            body.run();
        } finally {
            stats = t.stop();
            pump.join();
        }
        if (pumpFailure.get() != null) {
            throw new AssertionError("reading the trace failed", pumpFailure.get());
        }
        return stats;
    }
}

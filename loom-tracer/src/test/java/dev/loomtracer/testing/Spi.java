package dev.loomtracer.testing;

import dev.loomtracer.engine.TraceWriter;
import dev.loomtracer.engine.Tracer;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * Driving the engine's capture SPI from a test the way a capture layer does: one write per
 * event inside the acquire/release bracket, and a reader thread that writes the trace to a file.
 *
 * <p>Invariant: {@link #emit} runs its body only inside a write and always releases it.
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

    /** Starts a platform thread that reads the running trace of {@code t} into {@code file} until its end. */
    public static Thread pumpTo(Tracer t, Path file) throws java.io.IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        return Thread.ofPlatform().name("test-reader").start(() -> {
            try (ch) {
                for (ByteBuffer b; (b = t.readTrace()) != null; ) {
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
    }
}

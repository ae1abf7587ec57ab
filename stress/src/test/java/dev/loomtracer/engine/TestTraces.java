package dev.loomtracer.engine;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * What the stress module's JUnit tests do with a tracer of their own: read its trace into a file,
 * and write one operation through the writer SPI.
 *
 * <p>Invariant: every writer acquired here is released, and a pump reads until the trace's end.
 */
final class TestTraces {
    private TestTraces() {}

    /** Starts a reader (a virtual or a platform thread) that writes the whole trace of {@code t} to {@code file}. */
    static Thread pump(Tracer t, Path file, boolean virtual) {
        Runnable r = () -> {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                for (ByteBuffer b; (b = t.readTrace()) != null; ) {
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        };
        return virtual ? Thread.ofVirtual().start(r) : Thread.ofPlatform().start(r);
    }

    /** One operation on this thread's M, if tracing is on: acquire, {@code op}, release. */
    static void emit(Tracer t, Consumer<TraceWriter> op) {
        TraceWriter w = t.acquire();
        if (w != null) {
            try {
                op.accept(w);
            } finally {
                t.release(w);
            }
        }
    }
}

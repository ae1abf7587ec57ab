package dev.loomtracer.bench;

import dev.loomtracer.LoomTrace;
import dev.loomtracer.TraceOptions;
import dev.loomtracer.TraceResult;
import dev.loomtracer.engine.Tracer;
import dev.loomtracer.parse.TraceSummary;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Bytes per event of a scheduling-shaped stream: carriers mounting, blocking and unblocking
 * virtual threads through the capture SPI, as a capture layer does. Prints bytes/event by type mix.
 * Run: {@code java <flags> -cp bench/target/benchmarks.jar dev.loomtracer.bench.BytesPerEvent}
 */
public final class BytesPerEvent {
    public static void main(String[] args) throws Exception {
        Path file = Files.createTempFile("bytes-per-event", ".trace");
        int vts = 1000;
        int rounds = 200;
        List<Thread> fake = new ArrayList<>();
        for (int i = 0; i < vts; i++) {
            fake.add(Thread.ofVirtual().unstarted(() -> {}));
        }
        Tracer t = Tracer.GLOBAL;
        try (OutputStream out = Files.newOutputStream(file)) {
            LoomTrace.start(out, TraceOptions.defaults());
            Thread carrier = Thread.ofPlatform().start(() -> {
                for (int r = 0; r < rounds; r++) {
                    for (Thread vt : fake) {
                        t.emit(w -> w.goStart(vt));
                        t.emit(w -> w.goBlock(vt, "park java.util.concurrent.SynchronousQueue", null));
                        t.emit(w -> w.goUnblock(vt, null, null));
                    }
                }
            });
            carrier.join();
            TraceResult r = LoomTrace.stop();
            if (!r.complete()) {
                throw new IllegalStateException("incomplete: " + r);
            }
        }
        TraceSummary s = TraceSummary.of(file);
        System.out.printf("events %d, bytes %d, %.2f bytes/event (start/block/unblock cycles of %d VTs on one carrier)%n",
                s.events(), s.bytes(), s.bytes() / (double) s.events(), vts);
        Files.delete(file);
    }
}

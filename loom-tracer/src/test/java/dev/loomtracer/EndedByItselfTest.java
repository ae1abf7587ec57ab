package dev.loomtracer;

import dev.loomtracer.testing.CheckedTrace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No silent loss (issue 11): when the reader falls behind until buffer memory runs out, the trace
 * ends by itself, and that is told: {@code isRunning()} turns false at once, the result says why
 * and when, and estimates what was not recorded after; {@code bytes} counts what the program's
 * own reader read.
 */
class EndedByItselfTest {
    @TempDir
    Path dir;

    @Test
    void aTraceThatEndsByItselfSaysSoWhenAndWhy() throws Exception {
        LoomTrace.startForReading(TraceOptions.defaults().generationPeriod(Duration.ofMillis(10))
                .generationBytes(64 << 10).bufferMemory(256 << 10));
        // Nobody reads: emit until the tracer gives up (the advancer ends the trace after the loss).
        long emitted = 0;
        while (LoomTrace.isRunning()) {
            LoomTrace.log("load", "message");
            if (++emitted > 50_000_000) {
                throw new AssertionError("liveness guard: tracing never ended by itself");
            }
        }
        assertFalse(LoomTrace.isRunning(), "ended by itself");
        IllegalStateException again = assertThrows(IllegalStateException.class,
                () -> LoomTrace.startForReading(TraceOptions.defaults()));
        assertTrue(again.getMessage().contains("ended by itself"), again.getMessage());
        for (int i = 0; i < 10_000; i++) {
            LoomTrace.log("load", "after the end: not recorded");
        }
        Path file = dir.resolve("ended.trace");
        try (OutputStream out = Files.newOutputStream(file); WritableByteChannel ch = Channels.newChannel(out)) {
            for (ByteBuffer b; (b = LoomTrace.readTrace()) != null; ) {
                ch.write(b);
            }
        }
        CheckedTrace.of(file); // both judges, before stop: time passes after the end
        TraceResult r = LoomTrace.stop();
        assertNotNull(r);
        System.out.println("ended by itself: " + r.lossSummary());
        assertTrue(r.endedEarly() && !r.complete(), r.toString());
        assertTrue(r.endReason().contains("buffer memory (256 KiB) ran out"), r.endReason());
        assertNotNull(r.endedAt());
        assertTrue(r.lostEvents() > 0, r.toString());
        assertTrue(r.unrecordedEstimate() > 0, "an estimate of what came after: " + r);
        assertTrue(r.lossSummary().contains("ended by itself") && r.lossSummary().contains("estimated"), r.lossSummary());
        assertEquals(Files.size(file), r.bytes(), "bytes the program's own reader read");
    }
}

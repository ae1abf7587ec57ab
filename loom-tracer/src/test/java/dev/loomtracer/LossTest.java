package dev.loomtracer;

import dev.loomtracer.format.EventType;
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
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A reader that stops reading: memory stays bounded, the app never blocks, the loss is in the trace.
 * Every log message is new and long, so the generations' string tables weigh more than their
 * events: the bound holds only because tables count against {@code bufferMemory} (issue 11; it
 * once failed at random with 914,815 bytes when they did not).
 */
class LossTest {
    @TempDir
    Path dir;

    @Test
    void aReaderThatFallsBehindEndsTheTraceWithTheLossRecordedNeverBlockingWriters() throws Exception {
        LoomTrace.startForReading(TraceOptions.defaults().generationPeriod(Duration.ofMillis(10))
                .generationBytes(64 << 10).bufferMemory(512 << 10));
        // Nobody reads while the application emits far more than 512 KiB: it must not block.
        String padding = "x".repeat(400);
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            int writer = w;
            writers.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 20_000; i++) {
                    LoomTrace.log("load", "message number " + i + " of writer " + writer + " " + padding);
                }
            }));
        }
        for (Thread t : writers) {
            t.join();
        }
        // Now read everything there is.
        Path file = dir.resolve("loss.trace");
        try (OutputStream out = Files.newOutputStream(file); WritableByteChannel ch = Channels.newChannel(out)) {
            Thread reader = Thread.ofPlatform().start(() -> {
                try {
                    for (ByteBuffer b; (b = LoomTrace.readTrace()) != null; ) {
                        ch.write(b);
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            TraceResult r = LoomTrace.stop();
            reader.join();
            assertTrue(r.lostEvents() > 0, "events were lost: " + r);
        }
        CheckedTrace t = CheckedTrace.of(file);
        // All generations were in memory at once (nobody read): the file is what the budget held,
        // plus the small generation that records the loss.
        assertTrue(Files.size(file) <= (512 << 10) + (16 << 10), "memory bound respected: " + Files.size(file));
        assertEquals(1, t.count(e -> e.type() == EventType.USER_LOG && "loomtrace.loss".equals(e.name())
                && e.message().contains("events lost") && e.message().contains("512 KiB")), "the trace ends with the loss record");
    }
}

package dev.loomtracer;

import dev.loomtracer.format.EventType;
import dev.loomtracer.testing.CheckedTrace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlightRecorderTest {
    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        FlightRecorder fr = FlightRecorder.current();
        if (fr != null) {
            fr.stop();
        }
    }

    @Test
    void snapshotsAreValidTracesOfTheRecentPastAndTracingGoesOn() throws Exception {
        FlightRecorder fr = FlightRecorder.start(Duration.ZERO, 256 << 10,
                TraceOptions.defaults().generationPeriod(Duration.ofMillis(10)).generationBytes(64 << 10));
        assertThrows(IllegalStateException.class, () -> LoomTrace.start(OutputStream.nullOutputStream()),
                "one trace per JVM");
        for (int snap = 0; snap < 3; snap++) {
            for (int i = 0; i < 20_000; i++) {
                LoomTrace.log("round" + snap, "message " + i);
            }
            Path file = dir.resolve("snap" + snap + ".trace");
            try (OutputStream out = Files.newOutputStream(file)) {
                fr.writeTo(out);
            }
            CheckedTrace t = CheckedTrace.of(file);
            String key = "round" + snap;
            assertTrue(t.count(e -> e.type() == EventType.USER_LOG && key.equals(e.name())) > 0,
                    "the snapshot reaches up to now: " + key);
            // Bounded: 256 KiB kept, plus at most one generation over (the newest is always kept).
            assertTrue(Files.size(file) < (256 << 10) + (4 << 20), "bounded: " + Files.size(file));
            if (snap > 0) {
                assertEquals(0, t.count(e -> e.type() == EventType.USER_LOG && "round0".equals(e.name())),
                        "old rounds were evicted by the byte bound");
            }
        }
        TraceResult r = fr.stop();
        assertEquals(0, r.lostEvents());
    }
}

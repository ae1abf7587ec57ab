package dev.loomtracer;

import dev.loomtracer.format.EventType;
import dev.loomtracer.engine.Tracer;
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
    void aZeroMinimumAgeKeepsOnlyTheNewestGeneration() throws Exception {
        FlightRecorder fr = FlightRecorder.start(Duration.ZERO, 16 << 20,
                TraceOptions.defaults().generationPeriod(Duration.ofMillis(10)));
        LoomTrace.log("early", "x");
        long early = Tracer.GLOBAL.generation();
        while (Tracer.GLOBAL.generation() < early + 2) { // the log's generation and a later one complete
            Tracer.GLOBAL.advanceNow();
        }
        Path file = dir.resolve("zero.trace");
        try (OutputStream out = Files.newOutputStream(file)) {
            fr.writeTo(out);
        }
        CheckedTrace t = CheckedTrace.of(file);
        assertEquals(1, t.generations(), "Go's semantics: events older than MinAge are discarded promptly");
        assertEquals(0, t.count(e -> e.type() == EventType.USER_LOG && "early".equals(e.name())));
        fr.stop();
    }

    private static final int ROUND_LOGS = 5_000;

    @Test
    void snapshotsAreValidTracesOfTheRecentPastAndTracingGoesOn() throws Exception {
        // Age keeps everything (a minute); the byte bound (256 KiB) is what evicts. Each round
        // logs ~120 KB (5,000 logs of ~24 bytes: this test's thread is a platform thread, whose
        // G borrows its P around each log, docs/FORMAT.md), so the newest round always fits the
        // window, and a round with three newer rounds (~360 KB) after it cannot.
        FlightRecorder fr = FlightRecorder.start(Duration.ofMinutes(1), 256 << 10,
                TraceOptions.defaults().generationPeriod(Duration.ofMillis(10)).generationBytes(64 << 10));
        assertThrows(IllegalStateException.class, () -> LoomTrace.start(OutputStream.nullOutputStream()),
                "one trace per JVM");
        int rounds = 5;
        for (int snap = 0; snap < rounds; snap++) {
            for (int i = 0; i < ROUND_LOGS; i++) {
                LoomTrace.log("round" + snap, "message " + (i % 50));
            }
            Path file = dir.resolve("snap" + snap + ".trace");
            try (OutputStream out = Files.newOutputStream(file)) {
                fr.writeTo(out);
            }
            CheckedTrace t = CheckedTrace.of(file);
            String key = "round" + snap;
            assertEquals(ROUND_LOGS, t.count(e -> e.type() == EventType.USER_LOG && key.equals(e.name())),
                    "the snapshot holds the newest round whole, up to now");
            if (snap >= 3) {
                String old = "round" + (snap - 3);
                assertEquals(0, t.count(e -> e.type() == EventType.USER_LOG && old.equals(e.name())),
                        "a round with ~300 KB of newer trace after it was evicted by the 256 KiB bound");
            }
        }
        TraceResult r = fr.stop();
        assertEquals(0, r.lostEvents());
    }
}

package dev.loomtracer.jfr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomtracer.jfr.convert.JfrConverter;
import dev.loomtracer.parse.TraceSummary;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

/**
 * Issue 10, item 6: a trace's wall-clock start comes from the trace itself (the engine's clock
 * anchor, one per generation), not from the file's modification time, which copying or
 * downloading a file changes.
 */
class WallClockTest {
    @TempDir
    Path dir;

    @Test
    void theStartComesFromTheTraceNotFromTheFilesTime() throws Exception {
        Path trace = dir.resolve("clock.trace");
        Instant before = Instant.now();
        SimulatedTrace.write(trace, 4, 4);
        Instant after = Instant.now();
        dev.loomtracer.testing.GoJudge.assertValid(trace);
        Files.setLastModifiedTime(trace, FileTime.from(Instant.parse("2001-01-01T00:00:00Z"))); // a copied file

        Instant summaryStart = TraceSummary.of(trace).start(); // the project's validator reads it too
        assertNotNull(summaryStart, "the trace carries its wall clock");
        assertTrue(!summaryStart.isBefore(before.minusMillis(5)) && !summaryStart.isAfter(after),
                before + " <= " + summaryStart + " <= " + after);

        JfrConverter.Result r = JfrConverter.convert(trace, dir.resolve("clock.jfr"), JfrConverter.Options.defaults());
        assertEquals("trace clock log", r.clockSource());
        assertTrue(!r.start().isBefore(before.minusMillis(5)) && !r.start().isAfter(after),
                before + " <= " + r.start() + " <= " + after);
        assertTrue(Math.abs(r.start().toEpochMilli() - summaryStart.toEpochMilli()) <= 1, r.start() + " vs " + summaryStart);
    }
}

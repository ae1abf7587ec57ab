package dev.loomtracer.jfr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomtracer.jfr.convert.JfrConverter;
import dev.loomtracer.jfr.events.LoomEvents;
import dev.loomtracer.parse.TraceSummary;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Issue 10, items 3 and 5 in the .jfr: threads carry the names the trace gives them (virtual
 * threads, carriers, platform threads) as jdk.jfr.consumer reads them, and the conversion counts
 * carriers and platform threads apart. The simulation names its virtual threads {@code sim-N},
 * its carriers {@code carrier-0/1}, and its platform threads {@code creator} and {@code unparker}.
 */
class ThreadNamesTest {
    @TempDir
    Path dir;

    @Test
    void jfrThreadsCarryTheTracesNames() throws Exception {
        Path trace = dir.resolve("names.trace");
        SimulatedTrace.write(trace, 4, 4);
        dev.loomtracer.testing.GoJudge.assertValid(trace);
        TraceSummary summary = TraceSummary.of(trace); // the project's validator
        assertEquals(Set.of("creator", "unparker"), names(summary, summary.threadsSeen().platformThreads()));
        assertEquals(Set.of("carrier-0", "carrier-1"), names(summary, summary.threadsSeen().carriers()));

        Path jfr = dir.resolve("names.jfr");
        JfrConverter.Result r = JfrConverter.convert(trace, jfr, JfrConverter.Options.defaults());
        assertEquals(4, r.threads().virtualThreads().size());
        assertEquals(2, r.threads().carriers().size(), "carriers counted apart");
        assertEquals(2, r.threads().platformThreads().size(), "platform threads counted apart");

        List<Long> vts = SimulatedTrace.lastVirtualThreads;
        int runs = 0;
        int unparks = 0;
        Set<String> carriers = new TreeSet<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
            String type = e.getEventType().getName();
            if (type.equals(LoomEvents.RUN)) {
                runs++;
                long id = e.getLong("virtualThreadId");
                assertTrue(vts.contains(id), "runs are virtual threads' only, not the platform threads': " + e);
                assertEquals("sim-" + vts.indexOf(id), e.getThread().getJavaName(), "virtual thread " + id);
                assertTrue(e.getThread().isVirtual());
                carriers.add(e.getThread("carrierThread").getJavaName());
                assertFalse(e.getThread("carrierThread").isVirtual());
            } else if (type.equals(LoomEvents.UNPARK)) {
                unparks++;
                assertEquals("unparker", e.getThread().getJavaName(), "unparked by the platform thread named unparker");
            }
        }
        assertTrue(runs > 0 && unparks > 0);
        assertEquals(Set.of("carrier-0", "carrier-1"), carriers, "carriers under their own names");
    }

    private static Set<String> names(TraceSummary s, Set<Long> ids) {
        Set<String> out = new TreeSet<>();
        ids.forEach(id -> out.add(s.threadsSeen().nameOr(id, "unnamed " + id)));
        return out;
    }
}

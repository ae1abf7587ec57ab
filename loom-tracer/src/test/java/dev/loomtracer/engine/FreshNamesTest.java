package dev.loomtracer.engine;

import dev.loomtracer.TraceOptions;
import dev.loomtracer.format.EventType;
import dev.loomtracer.parse.TraceEvent;
import dev.loomtracer.parse.TraceThreads;
import dev.loomtracer.testing.GoJudge;
import dev.loomtracer.testing.Spi.Traced;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.loomtracer.testing.Spi.emit;
import static dev.loomtracer.testing.Spi.onNewThread;
import static dev.loomtracer.testing.Spi.tracedValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Thread names get fresh string ids ({@link FreshStrings}), not a lookup in the generation's shared
 * table: the table does not grow with the threads a program names, and every name still reads right,
 * to both judges, in every generation, also when two threads share a name.
 */
class FreshNamesTest {
    @TempDir
    Path dir;

    /** What the story measured while the trace ran. */
    private record Seen(List<Thread> threads, int tableBefore, int tableAfter) {}

    @Test
    void namesAreToldWithoutTheSharedTable() throws Exception {
        List<Thread> vts = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            // Two threads of each name: equal names stay two labels of two goroutines.
            vts.add(Thread.ofVirtual().name("request-" + (i / 2)).unstarted(() -> { }));
        }
        TraceOptions options = TraceOptions.defaults().generationPeriod(Duration.ofSeconds(60)).generationBytes(1 << 20);
        Traced<Seen> run = tracedValue(dir.resolve("names.trace"), options, t -> {
            int slot = (int) (t.generation() & 1);
            int[] sizes = new int[2];
            onNewThread("ForkJoinPool-1-worker-1", () -> {
                emit(t, w -> w.goStart(vts.get(0))); // the carrier's own name and the first label
                emit(t, w -> w.goBlock(vts.get(0), "sleep", null));
                sizes[0] = t.session.strings[slot].size();
                for (Thread vt : vts.subList(1, vts.size())) {
                    emit(t, w -> w.goStart(vt));
                    emit(t, w -> w.goBlock(vt, "sleep", null));
                }
                sizes[1] = t.session.strings[slot].size();
            });
            t.advanceNow(); // every name again in the next generation
            onNewThread("ForkJoinPool-1-worker-2", () -> {
                for (Thread vt : vts) {
                    emit(t, w -> w.goUnblock(vt, null, null));
                    emit(t, w -> w.goStart(vt));
                    emit(t, w -> w.goDestroy(vt));
                }
            });
            return new Seen(vts, sizes[0], sizes[1]);
        });
        assertEquals(0, run.stats().inconsistentEvents());
        assertEquals(0, run.stats().lostEvents());
        assertEquals(run.value().tableBefore(), run.value().tableAfter(),
                "199 more names told, the shared table unchanged (a lookup per name would add 99)");

        // The project's parser: each G's name, two labels in two generations each.
        TraceThreads threads = new TraceThreads();
        run.trace().events.forEach(threads);
        Set<Long> labelIds = new HashSet<>();
        int labels = 0;
        for (TraceEvent e : run.trace().events) {
            if (e.type() == EventType.GO_LABEL) {
                labels++;
                labelIds.add(e.arg(0));
            }
        }
        for (int i = 0; i < vts.size(); i++) {
            assertEquals("request-" + (i / 2), threads.name(vts.get(i).threadId()), "thread " + i);
        }
        assertEquals(2 * vts.size(), labels, "each thread labelled in both generations it ran in");
        assertTrue(labelIds.size() > vts.size() / 2, "equal names in one generation need not share an id: " + labelIds.size());

        // Go's parser: the same labels.
        String go = Files.readString(GoJudge.judge(run.trace().file).stdout());
        for (int i = 0; i < vts.size(); i++) {
            String l = "Label=\"request-" + (i / 2) + "\" Resource=Goroutine(" + vts.get(i).threadId() + ")";
            assertEquals(2, count(go, l), l);
        }
    }

    private static int count(String s, String sub) {
        int n = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + 1)) {
            n++;
        }
        return n;
    }
}

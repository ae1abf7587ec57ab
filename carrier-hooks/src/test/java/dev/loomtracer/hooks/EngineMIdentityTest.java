package dev.loomtracer.hooks;

import dev.loomtracer.LoomTrace;
import dev.loomtracer.TraceOptions;
import dev.loomtracer.TraceResult;
import dev.loomtracer.parse.TraceEvent;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An engine defect the capture layer meets (reported to the engine's owner): an M is named after
 * the thread that first writes on a carrier. When that is a virtual thread (a default-scheduler
 * thread unparking a traced one, or annotating), the M gets the virtual thread's id; when that
 * virtual thread later writes first on another fresh carrier too, two Ms share an id and Go's
 * parser rejects the trace ("no M can advance"). The M must be the carrier thread.
 */
class EngineMIdentityTest {
    final Path dir = TestFiles.dir("engine");

    @Test
    void everyMIsACarrierNeverAVirtualThread() throws Exception {
        Path file = dir.resolve("m-identity.trace");
        Set<Long> virtualIds = ConcurrentHashMap.newKeySet();
        TraceResult stats = Recording.record(file, TraceOptions.Stacks.OFF, () -> {
            Thread[] ts = new Thread[8];
            for (int i = 0; i < ts.length; i++) {
                ts[i] = Thread.ofVirtual().start(() -> {
                    virtualIds.add(Thread.currentThread().threadId());
                    for (int k = 0; k < 200; k++) {
                        LoomTrace.log("k", "v");
                        Thread.yield();
                    }
                });
            }
            for (Thread t : ts) {
                t.join();
            }
        });
        assertEquals(0, stats.inconsistentEvents(), stats.toString());
        GoroutineFacts f = GoroutineFacts.of(file);
        Set<Long> ms = new HashSet<>();
        for (TraceEvent e : f.trace.events) {
            ms.add(e.m());
        }
        ms.retainAll(virtualIds);
        assertTrue(ms.isEmpty(), "Ms named after virtual threads: " + ms);
    }
}

package dev.loomtracer;

import dev.loomtracer.engine.TraceWriter;
import dev.loomtracer.engine.Tracer;
import dev.loomtracer.format.EventType;
import dev.loomtracer.testing.CheckedTrace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Nested events (docs/ENGINE.md, loss): an event emitted while its thread is already inside a
 * write (a hook that re-entered the tracer) is not written and is counted, and the count reaches
 * the API's {@link TraceResult#nestedEvents()}: a known number of nested events, on a virtual and
 * on a platform thread, gives exactly that count, and the events around them are all in the trace.
 */
class NestedEventsTest {
    @TempDir
    Path dir;

    @Test
    void eventsEmittedInsideAWriteAreDroppedAndCountedExactly() throws Exception {
        Path file = dir.resolve("nested.trace");
        TraceResult r;
        try (OutputStream out = Files.newOutputStream(file)) {
            LoomTrace.start(out);
            LoomTrace.log("outside", "before");
            java.util.concurrent.FutureTask<Void> onVirtual = new java.util.concurrent.FutureTask<>(NestedEventsTest::nestTwice, null);
            Thread.ofVirtual().start(onVirtual);
            onVirtual.get(); // rethrows what failed on the virtual thread
            nestTwice(); // on this platform thread
            LoomTrace.log("outside", "after");
            r = LoomTrace.stop();
        }
        assertEquals(4, r.nestedEvents(), r.toString());
        assertEquals(0, r.lostEvents(), r.toString());
        assertFalse(r.complete(), "a trace with nested events is not complete: " + r);
        CheckedTrace t = CheckedTrace.of(file);
        assertEquals(0, t.count(e -> e.type() == EventType.USER_LOG && "nested".equals(e.name())), "nested events are not written");
        assertEquals(2, t.count(e -> e.type() == EventType.USER_LOG && "outside".equals(e.name())), "the others are");
    }

    /** Two events emitted while this thread holds a writer: both refused, both counted. */
    private static void nestTwice() {
        TraceWriter w = Tracer.GLOBAL.acquire();
        assertNotNull(w, "tracing is on");
        try {
            LoomTrace.log("nested", "one");
            assertNull(Tracer.GLOBAL.acquire(), "a second acquire on a writing thread is refused");
        } finally {
            Tracer.GLOBAL.release(w);
        }
    }
}

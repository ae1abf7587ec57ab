package dev.loomtracer.jfr.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * Ties this recording's clock to the trace's: committed by the importer when it writes its clock
 * log into the trace (the same System.nanoTime() value in both), and by the live bridge when it
 * has learned the trace clock from the engine's anchors (with that instant's trace time).
 */
@Name(LoomEvents.CLOCK_SYNC)
@Label("Loom Tracer Clock Sync")
@Category({LoomEvents.CATEGORY, LoomEvents.INTERNAL})
@Description("Ties the recording's clock to the Loom Tracer trace's clock (same System.nanoTime() value as the trace's loomtrace.clock log)")
@StackTrace(false)
public final class ClockSyncEvent extends Event {
    @Label("System.nanoTime()")
    public long nanoTime;

    @Label("Trace Nanoseconds")
    @Description("The same instant on the trace's clock, when known; -1 if not")
    public long traceNanos;
}

package dev.loomtracer.jfr.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;

/**
 * Emitted at the end of each JFR chunk (and so when a recording stops or is dumped) after the
 * bridge has committed everything the trace held up to that moment.
 */
@Name(LoomEvents.BRIDGE_FLUSH)
@Label("Loom Tracer Bridge Flush")
@Category({LoomEvents.CATEGORY, LoomEvents.INTERNAL})
@Description("The JFR bridge committed the trace's events up to this point (end of a chunk, a dump or a stop)")
@StackTrace(false)
@Enabled(false)
@Period("endChunk")
public final class BridgeFlushEvent extends Event {
    @Label("Generations")
    @Description("Trace generations the bridge has received")
    public long generations;

    @Label("Dropped Generations")
    @Description("Generations not bridged because the bridge fell behind")
    public long droppedGenerations;

    @Label("Flushed")
    @Description("False if the bridge did not catch up in time")
    public boolean flushed;
}

package dev.loomtracer.jfr.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** Offline only: a stop-the-world range a trace carries (STWBegin to STWEnd), e.g. a GC pause imported from JFR. */
@Name(LoomEvents.STW)
@Label("Stop The World (from trace)")
@Category({LoomEvents.CATEGORY, LoomEvents.RUNTIME})
@Description("A stop-the-world pause as the trace records it (STWBegin to STWEnd)")
@StackTrace(false)
public final class StopTheWorldEvent extends Event {
    @Label("Kind")
    public String kind;

    @Label("Thread Id")
    @Description("threadId() of the trace thread the range is on")
    public long threadId;

    @Label("Complete")
    @Description("False when the pause had not ended when the trace ended")
    public boolean complete;
}

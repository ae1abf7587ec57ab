package dev.loomtracer.jfr.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** Offline only: a GC range a trace carries (GCBegin to GCEnd), e.g. imported from JFR or from a Go trace. */
@Name(LoomEvents.GC)
@Label("GC (from trace)")
@Category({LoomEvents.CATEGORY, LoomEvents.RUNTIME})
@Description("A garbage collection as the trace records it (GCBegin to GCEnd)")
@StackTrace(false)
public final class TraceGcEvent extends Event {
    @Label("Sequence")
    public long sequence;

    @Label("Complete")
    @Description("False when the collection had not ended when the trace ended")
    public boolean complete;
}

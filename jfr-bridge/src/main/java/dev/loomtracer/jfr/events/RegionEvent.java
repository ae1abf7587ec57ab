package dev.loomtracer.jfr.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A Loom Tracer region (dev.loomtracer.Region) on one thread. */
@Name(LoomEvents.REGION)
@Label("Region")
@Category({LoomEvents.CATEGORY, LoomEvents.ANNOTATIONS})
@Description("A user region (dev.loomtracer.Region): a phase of a task on one thread")
@StackTrace(false)
@Enabled(false)
public final class RegionEvent extends Event {
    @Label("Task Id")
    @Description("0 for none")
    public long taskId;

    @Label("Region Name")
    public String regionName;

    @Label("Thread Id")
    public long threadId;

    @Label("Complete")
    @Description("False when the region had not ended when the trace ended")
    public boolean complete;
}

package dev.loomtracer.jfr.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/** A virtual thread mounted on a carrier: the interval from mount to unmount. */
@Name(LoomEvents.RUN)
@Label("Virtual Thread Run")
@Category({LoomEvents.CATEGORY, LoomEvents.SCHEDULING})
@Description("A virtual thread mounted on a carrier thread and running, from mount to unmount. "
        + "A block while pinned keeps it mounted.")
@StackTrace(false)
@Enabled(false)
@Threshold("0 ns")
public final class VirtualThreadRunEvent extends Event {
    @Label("Virtual Thread Id")
    @Description("threadId() of the virtual thread (or of a platform thread that emitted trace events)")
    public long virtualThreadId;

    @Label("Carrier Thread")
    @Description("The carrier thread it was mounted on (null when the carrier is no longer alive)")
    public Thread carrierThread;

    @Label("Carrier Thread Id")
    public long carrierThreadId;

    @Label("Scheduler Slot")
    @Description("The trace's P: one per carrier; -1 if unknown")
    public long processor;

    @Label("Unmount Reason")
    @Description("Why it unmounted: park: REASON, yield: REASON, exit, trace ended")
    public String endReason;

    @Label("Complete")
    @Description("False when the virtual thread was still mounted when the trace ended")
    public boolean complete;
}

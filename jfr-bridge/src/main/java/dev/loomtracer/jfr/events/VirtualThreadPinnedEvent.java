package dev.loomtracer.jfr.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/** A virtual thread blocked while pinned to its carrier. */
@Name(LoomEvents.PINNED)
@Label("Virtual Thread Pinned Block")
@Category({LoomEvents.CATEGORY, LoomEvents.SCHEDULING})
@Description("A virtual thread blocked while pinned to its carrier, which could run nothing else meanwhile")
@StackTrace(false)
@Enabled(false)
@Threshold("20 ms")
public final class VirtualThreadPinnedEvent extends Event {
    @Label("Virtual Thread Id")
    public long virtualThreadId;

    @Label("Carrier Thread")
    @Description("The carrier thread held (null when the carrier is no longer alive)")
    public Thread carrierThread;

    @Label("Carrier Thread Id")
    public long carrierThreadId;

    @Label("Pinned Reason")
    @Description("Why it was pinned (native frame, monitor, class initializer, ...), if the capture layer said")
    public String pinnedReason;

    @Label("Complete")
    @Description("False when it was still pinned when the trace ended")
    public boolean complete;
}

package dev.loomtracer.jfr.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/** A virtual thread unmounted and waiting: from the block to the unblock that made it runnable. */
@Name(LoomEvents.PARK)
@Label("Virtual Thread Park")
@Category({LoomEvents.CATEGORY, LoomEvents.SCHEDULING})
@Description("A virtual thread unmounted because it parked, blocked, waited or slept, until another thread "
        + "made it runnable again")
@StackTrace(false)
@Enabled(false)
@Threshold("20 ms")
public final class VirtualThreadParkEvent extends Event {
    @Label("Virtual Thread Id")
    public long virtualThreadId;

    @Label("Reason")
    @Description("The block reason as traced, e.g. sync: park ReentrantLock$NonfairSync, sleep, sync: monitor enter, network")
    public String reason;

    @Label("Blocker")
    @Description("The object (class) the reason names, if any")
    public String blocker;

    @Label("Unparked By")
    @Description("threadId() of the thread that made it runnable; 0 if the scheduler or unknown")
    public long unparkerThreadId;

    @Label("Unparker's Carrier Id")
    @Description("threadId() of the carrier the unparker ran on; 0 if unknown")
    public long unparkerCarrierId;

    @Label("Unparked")
    @Description("False when it was still parked when the trace ended")
    public boolean complete;
}

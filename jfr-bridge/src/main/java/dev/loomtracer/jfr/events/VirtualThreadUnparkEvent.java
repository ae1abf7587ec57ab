package dev.loomtracer.jfr.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** One thread made a parked virtual thread runnable. */
@Name(LoomEvents.UNPARK)
@Label("Virtual Thread Unpark")
@Category({LoomEvents.CATEGORY, LoomEvents.SCHEDULING})
@Description("A thread made a parked virtual thread runnable (LockSupport.unpark and what builds on it)")
@StackTrace(false)
@Enabled(false)
public final class VirtualThreadUnparkEvent extends Event {
    @Label("Virtual Thread Id")
    @Description("threadId() of the virtual thread made runnable")
    public long virtualThreadId;

    @Label("Unparked By")
    @Description("threadId() of the thread that unparked it; 0 if the scheduler or unknown")
    public long unparkerThreadId;

    @Label("Carrier Thread Id")
    @Description("threadId() of the carrier (or platform thread) the unparker ran on")
    public long carrierThreadId;
}

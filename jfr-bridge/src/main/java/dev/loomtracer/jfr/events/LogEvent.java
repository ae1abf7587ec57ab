package dev.loomtracer.jfr.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A Loom Tracer log (LoomTrace.log, Task.log). */
@Name(LoomEvents.LOG)
@Label("Trace Log")
@Category({LoomEvents.CATEGORY, LoomEvents.ANNOTATIONS})
@Description("A user log (LoomTrace.log, Task.log), or a note of the capture layer such as why a block pinned")
@StackTrace(false)
@Enabled(false)
public final class LogEvent extends Event {
    @Label("Task Id")
    @Description("0 for none")
    public long taskId;

    @Label("Category")
    public String category;

    @Label("Message")
    public String message;

    @Label("Thread Id")
    public long threadId;
}

package dev.loomtracer.jfr.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A Loom Tracer task (dev.loomtracer.Task), from begin to end. */
@Name(LoomEvents.TASK)
@Label("Task")
@Category({LoomEvents.CATEGORY, LoomEvents.ANNOTATIONS})
@Description("A user task (dev.loomtracer.Task): a logical operation, possibly spanning threads")
@StackTrace(false)
@Enabled(false)
public final class TaskEvent extends Event {
    @Label("Task Id")
    public long taskId;

    @Label("Parent Task Id")
    @Description("0 for none")
    public long parentTaskId;

    @Label("Task Name")
    public String taskName;

    @Label("Thread Id")
    @Description("threadId() of the thread that began the task")
    public long threadId;

    @Label("Complete")
    @Description("False when the task had not ended when the trace ended")
    public boolean complete;
}

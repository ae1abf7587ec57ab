package dev.loomtracer;

import java.util.Objects;

/**
 * A logical operation, such as serving one request, that may span several threads (Go's
 * {@code trace.Task}). {@code go tool trace} shows each task's latency and the regions and
 * logs inside it.
 *
 * <pre>{@code
 * try (Task task = Task.begin("checkout")) {
 *     try (Region r = task.region("load cart")) { ... }
 *     task.log("user", userId);
 * }
 * }</pre>
 *
 * Tasks may be ended on another thread than the one that began them. Beginning a task costs one
 * load when tracing is off.
 */
public final class Task implements AutoCloseable {
    private final long id;
    private final String name;
    private boolean ended;

    private Task(long id, String name) {
        this.id = id;
        this.name = name;
    }

    /** Begins a top-level task. */
    public static Task begin(String name) {
        return begin(null, name);
    }

    /** Begins a task inside {@code parent} (null for a top-level one). */
    public static Task begin(Task parent, String name) {
        Objects.requireNonNull(name, "task name");
        Task t = new Task(Annotations.newTaskId(), name);
        Annotations.taskBegin(t.id, parent == null ? 0 : parent.id, name);
        return t;
    }

    /** Enters a region of this task on the current thread. */
    public Region region(String name) {
        return Region.enter(this, name);
    }

    /** Logs a message in this task, on the current thread. */
    public void log(String category, String message) {
        Annotations.log(id, category, message);
    }

    public String name() {
        return name;
    }

    long id() {
        return id;
    }

    /** Ends the task. Ending it twice is harmless. */
    public void end() {
        if (!ended) {
            ended = true;
            Annotations.taskEnd(id);
        }
    }

    @Override
    public void close() {
        end();
    }
}

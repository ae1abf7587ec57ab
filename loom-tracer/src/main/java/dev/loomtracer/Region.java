package dev.loomtracer;

import java.util.Objects;

/**
 * A span of time on one thread (Go's {@code trace.Region}), shown in {@code go tool trace} on
 * the virtual thread's timeline. Regions on a thread must nest: close them in reverse order,
 * on the thread that entered them (try-with-resources does both).
 *
 * <pre>{@code
 * try (Region r = Region.enter("parse")) { ... }
 * }</pre>
 */
public final class Region implements AutoCloseable {
    private static final Region NOOP = new Region(0, null, null);

    private final long task;
    private final String name;
    private final Thread owner;
    private boolean closed;

    private Region(long task, String name, Thread owner) {
        this.task = task;
        this.name = name;
        this.owner = owner;
    }

    /** Enters a region outside any task. */
    public static Region enter(String name) {
        return enter(null, name);
    }

    /** Enters a region of {@code task} (null for none). With tracing off this allocates nothing. */
    public static Region enter(Task task, String name) {
        Objects.requireNonNull(name, "region name");
        if (!Annotations.enabled()) {
            return NOOP;
        }
        long id = task == null ? 0 : task.id();
        Annotations.region(true, id, name);
        return new Region(id, name, Thread.currentThread());
    }

    /** Runs {@code body} inside a region named {@code name}. */
    public static void run(String name, Runnable body) {
        try (Region r = enter(name)) {
            body.run();
        }
    }

    /**
     * Ends the region.
     *
     * @throws IllegalStateException if called on another thread than the one that entered it
     */
    @Override
    public void close() {
        if (this == NOOP || closed) {
            return;
        }
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("region \"" + name + "\" was entered on " + owner
                    + " and must end on it, not on " + Thread.currentThread());
        }
        closed = true;
        Annotations.region(false, task, name);
    }
}

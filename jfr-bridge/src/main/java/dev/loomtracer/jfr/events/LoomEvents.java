package dev.loomtracer.jfr.events;

import java.util.List;

/**
 * Names of the JFR event types Loom Tracer defines, shared by the live bridge (which commits the
 * {@code jdk.jfr.Event} classes of this package) and the offline converter (which writes the same
 * types, derived from these classes, with JMC's writer).
 */
public final class LoomEvents {
    private LoomEvents() {}

    public static final String CATEGORY = "Loom Tracer";
    public static final String SCHEDULING = "Scheduling";
    public static final String ANNOTATIONS = "Annotations";
    public static final String RUNTIME = "Runtime";
    public static final String INTERNAL = "Internal";

    public static final String RUN = "dev.loomtracer.VirtualThreadRun";
    public static final String PARK = "dev.loomtracer.VirtualThreadPark";
    public static final String UNPARK = "dev.loomtracer.VirtualThreadUnpark";
    public static final String PINNED = "dev.loomtracer.VirtualThreadPinned";
    public static final String TASK = "dev.loomtracer.Task";
    public static final String REGION = "dev.loomtracer.Region";
    public static final String LOG = "dev.loomtracer.Log";
    public static final String CLOCK_SYNC = "dev.loomtracer.ClockSync";
    public static final String BRIDGE_FLUSH = "dev.loomtracer.BridgeFlush";
    /** Offline only: GC and stop-the-world ranges that a trace carries (e.g. imported from JFR). */
    public static final String GC = "dev.loomtracer.GarbageCollection";
    public static final String STW = "dev.loomtracer.StopTheWorld";
    /** Offline only: CPU samples a trace carries become JDK execution samples, so JMC profiles them. */
    public static final String EXECUTION_SAMPLE = "jdk.ExecutionSample";

    /** The event classes both the live bridge and the converter use, in a fixed order. */
    public static final List<Class<? extends jdk.jfr.Event>> SCHEDULING_AND_ANNOTATIONS = List.of(
            VirtualThreadRunEvent.class, VirtualThreadParkEvent.class, VirtualThreadUnparkEvent.class,
            VirtualThreadPinnedEvent.class, TaskEvent.class, RegionEvent.class, LogEvent.class);
}

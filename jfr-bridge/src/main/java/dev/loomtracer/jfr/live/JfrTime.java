package dev.loomtracer.jfr.live;

import jdk.jfr.Event;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Explicit timestamps for JFR events committed after the fact. {@code jdk.jfr.Event} has no
 * public API for an explicit start time, but JFR's instrumentation gives every event class the
 * fields {@code startTime} and {@code duration} (in JFR ticks) and its {@code commit()} keeps them
 * when both are already set. This class sets them through {@link VarHandle}s, and maps
 * {@code System.nanoTime()} to JFR ticks by reading the start time {@code begin()} stamps.
 *
 * <p>Invariant: {@link #available()} is false, and nothing is set, when the running JDK's events
 * lack those fields (a future JDK); callers then commit without explicit times. A duration is at
 * least one tick, because {@code commit()} replaces a zero duration with "now - start".
 */
final class JfrTime {
    private record Handles(VarHandle start, VarHandle duration) {}

    private final Map<Class<?>, Handles> handles = new ConcurrentHashMap<>();
    private volatile boolean broken;

    // Calibration: ticks = anchorTicks + slope * (nanoTime - anchorNanos).
    /** A reading whose nanoTime window is wider than this was probably preempted. */
    private static final long GOOD_WINDOW_NANOS = 50_000;
    private long firstWindow;
    private long firstNanos;
    private long firstTicks;
    private long anchorNanos;
    private long anchorTicks;
    private double slope = 1.0;
    private boolean calibrated;

    boolean available() {
        return !broken;
    }

    private Handles handles(Class<? extends Event> c) {
        return handles.computeIfAbsent(c, k -> {
            try {
                MethodHandles.Lookup l = MethodHandles.privateLookupIn(k, MethodHandles.lookup());
                return new Handles(l.findVarHandle(k, "startTime", long.class), l.findVarHandle(k, "duration", long.class));
            } catch (ReflectiveOperationException | IllegalArgumentException | SecurityException e) {
                broken = true;
                return null;
            }
        });
    }

    /**
     * Re-reads the JFR clock against {@code System.nanoTime()} with a probe event (the tightest of
     * a few readings). Returns false if the JFR clock cannot be read (events not instrumented yet,
     * or the fields are missing).
     */
    boolean calibrate(Event probe) {
        Handles h = handles(probe.getClass());
        if (h == null) {
            return false;
        }
        long bestWindow = Long.MAX_VALUE;
        long bestNanos = 0;
        long bestTicks = 0;
        for (int i = 0; i < 5; i++) {
            long n0 = System.nanoTime();
            probe.begin();
            long n1 = System.nanoTime();
            long ticks = (long) h.start().get(probe);
            if (ticks == 0) {
                return false; // begin() is not instrumented: JFR has not registered the class
            }
            if (n1 - n0 < bestWindow) {
                bestWindow = n1 - n0;
                bestNanos = n0 + (n1 - n0) / 2;
                bestTicks = ticks;
            }
        }
        if (calibrated && bestWindow > GOOD_WINDOW_NANOS) {
            return true; // a preempted reading: keep the previous anchor
        }
        if (!calibrated || firstWindow > GOOD_WINDOW_NANOS) {
            firstNanos = bestNanos;
            firstTicks = bestTicks;
            firstWindow = bestWindow;
            calibrated = true;
        } else if (bestNanos - firstNanos > 1_000_000_000L) {
            // HotSpot's JFR ticks are nanoseconds unless its fast (TSC) time source is on: use a
            // measured rate only when it clearly is not 1, so calibration noise never skews durations.
            double measured = (bestTicks - firstTicks) / (double) (bestNanos - firstNanos);
            slope = Math.abs(measured - 1.0) > 0.01 ? measured : 1.0;
        }
        anchorNanos = bestNanos;
        anchorTicks = bestTicks;
        return true;
    }

    boolean calibrated() {
        return calibrated;
    }

    long ticksOf(long nanoTime) {
        return anchorTicks + Math.round(slope * (nanoTime - anchorNanos));
    }

    long ticksFor(long durationNanos) {
        return Math.max(1, Math.round(slope * durationNanos));
    }

    /** Sets the event's start and duration; false if this JDK does not allow it. */
    boolean set(Event e, long startNanoTime, long durationNanos) {
        if (broken || !calibrated) {
            return false;
        }
        Handles h = handles(e.getClass());
        if (h == null) {
            return false;
        }
        h.start().set(e, ticksOf(startNanoTime));
        h.duration().set(e, ticksFor(durationNanos));
        return true;
    }
}

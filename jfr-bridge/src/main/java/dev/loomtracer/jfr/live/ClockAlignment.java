package dev.loomtracer.jfr.live;

import dev.loomtracer.jfr.model.ClockLog;
import dev.loomtracer.jfr.model.Episode;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Aligns the trace's clock with {@code System.nanoTime()} for the live bridge: the trace's clock
 * anchors (the {@code loomtrace.clock} log the engine writes in every generation, {@link ClockLog})
 * give {@code System.nanoTime()} at trace time 0. Episodes wait here until it is known; a trace
 * with no anchor after {@link #MAX_PENDING_GENERATIONS} generations and
 * {@link #MAX_PENDING_NANOS} of trace time (or at its end) gets an estimate from when its
 * generations arrived, which errs late by at most about one generation period.
 *
 * <p>Invariant: {@link #add} and {@link #drain} hand out each episode once, in arrival order, and
 * only after {@code onKnown} was told the base, once.
 */
final class ClockAlignment {
    /** How long generations wait for a clock anchor: both bounds must be passed. */
    static final int MAX_PENDING_GENERATIONS = 8;
    static final long MAX_PENDING_NANOS = 2_000_000_000L;

    private record Pending(List<Episode> episodes, long arrivalNanoTime, long lastTraceNanos) {}

    private final LongConsumer onKnown;
    private final List<Pending> pending = new ArrayList<>();
    private boolean known;
    private volatile String source = "none yet";

    /** {@code onKnown} receives {@code System.nanoTime()} at trace time 0 when it is known. */
    ClockAlignment(LongConsumer onKnown) {
        this.onKnown = onKnown;
    }

    /** Where the base came from: "clock log", "estimated from arrival times" or "none yet". */
    String source() {
        return source;
    }

    boolean known() {
        return known;
    }

    /**
     * Takes the episodes of one generation (whose last event is at {@code lastTraceNanos}, arrived
     * now); returns those that can be committed now, of this and earlier generations.
     */
    List<Episode> add(List<Episode> episodes, long lastTraceNanos) {
        if (!known) {
            for (Episode e : episodes) {
                ClockLog c = e instanceof Episode.Log l ? ClockLog.of(l) : null;
                if (c != null) {
                    know(c.nanoTimeAtTraceZero(), "clock log");
                    break;
                }
            }
        }
        pending.add(new Pending(episodes, System.nanoTime(), lastTraceNanos));
        if (!known && pending.size() > MAX_PENDING_GENERATIONS
                && lastTraceNanos - pending.getFirst().lastTraceNanos() > MAX_PENDING_NANOS) {
            estimate(lastTraceNanos);
        }
        return known ? takePending() : List.of();
    }

    /** The input ended, its last episodes are {@code last}: everything left, the base estimated if still unknown. */
    List<Episode> drain(List<Episode> last, long lastTraceNanos) {
        if (!known && (!last.isEmpty() || !pending.isEmpty())) {
            estimate(lastTraceNanos);
        }
        List<Episode> out = takePending();
        out.addAll(last);
        return out;
    }

    /**
     * No anchor: the generations are complete within about one generation period of their last
     * event, so the earliest arrival minus trace time bounds the base from above.
     */
    private void estimate(long lastTraceNanos) {
        long base = Long.MAX_VALUE;
        for (Pending p : pending) {
            base = Math.min(base, p.arrivalNanoTime() - p.lastTraceNanos());
        }
        if (base == Long.MAX_VALUE) {
            base = System.nanoTime() - lastTraceNanos;
        }
        know(base, "estimated from arrival times");
    }

    private void know(long nanoTimeAtTraceZero, String from) {
        known = true;
        source = from;
        onKnown.accept(nanoTimeAtTraceZero);
    }

    private List<Episode> takePending() {
        List<Episode> out = new ArrayList<>();
        for (Pending p : pending) {
            out.addAll(p.episodes());
        }
        pending.clear();
        return out;
    }
}

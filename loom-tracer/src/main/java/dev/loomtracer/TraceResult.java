package dev.loomtracer;

/**
 * What a finished trace wrote and what it could not: the one record of a trace's counts, returned
 * by {@link LoomTrace#stop()}, {@link FlightRecorder#stop()} and the engine's {@code Tracer.stop()}.
 *
 * @param bytes              bytes written to the sink, or read by the program's own reader
 * @param generations        complete generations written
 * @param lostEvents         events dropped because buffer memory ran out; when non-zero the
 *                           trace ended early and its last generation records the loss
 * @param inconsistentEvents events dropped because they contradicted what the trace had told
 *                           (a capture-layer defect, or two threads telling one transition at
 *                           once, as thread dumps can make them; 0 in a healthy setup)
 * @param nestedEvents       events dropped because they were emitted from inside the tracer's own
 *                           write on the same carrier (a hook re-entered the tracer; 0 in a
 *                           healthy setup)
 * @param endReason          why tracing ended by itself before {@code stop} (the reader fell behind and
 *                           buffer memory ran out), or null if it ran until stopped
 * @param endedAt            when it ended by itself, or null
 * @param unrecordedEstimate events after that end that were not recorded: an estimate, at the trace's
 *                           average event rate before the end, times the time until stop (0 if it did not end early)
 * @param unstableFramePcs   frames given a PC they could not keep for the whole trace, because the
 *                           trace's frame table was full (docs/FORMAT.md): such a frame may show
 *                           under several PCs in a profile (a PC still never names two frames); not a loss
 */
public record TraceResult(long bytes, long generations, long lostEvents, long inconsistentEvents, long nestedEvents,
                          String endReason, java.time.Instant endedAt, long unrecordedEstimate, long unstableFramePcs) {

    /** The result of a trace that ran until stopped. */
    public TraceResult(long bytes, long generations, long lostEvents, long inconsistentEvents, long nestedEvents) {
        this(bytes, generations, lostEvents, inconsistentEvents, nestedEvents, null, null, 0, 0);
    }

    /** The same result with {@code bytes} counted by whoever took the trace (the stream's pump). */
    TraceResult withBytes(long bytes) {
        return new TraceResult(bytes, generations, lostEvents, inconsistentEvents, nestedEvents, endReason, endedAt,
                unrecordedEstimate, unstableFramePcs);
    }

    /** True if the trace holds everything the tracer saw, up to stop. */
    public boolean complete() {
        return lostEvents == 0 && inconsistentEvents == 0 && nestedEvents == 0 && endReason == null;
    }

    /** True if tracing ended by itself before it was stopped. */
    public boolean endedEarly() {
        return endReason != null;
    }

    /** One line saying what was lost, or "" when {@link #complete()}. */
    public String lossSummary() {
        if (complete()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        if (endReason != null) {
            sb.append("tracing ended by itself at ").append(endedAt).append(": ").append(endReason)
                    .append("; about ").append(unrecordedEstimate).append(" events after it were not recorded (estimated)");
        } else if (lostEvents > 0) {
            sb.append(lostEvents).append(" events lost");
        }
        if (inconsistentEvents > 0 || nestedEvents > 0) {
            sb.append(sb.isEmpty() ? "" : "; ").append(inconsistentEvents).append(" inconsistent and ").append(nestedEvents)
                    .append(" nested events dropped");
        }
        return sb.toString();
    }
}

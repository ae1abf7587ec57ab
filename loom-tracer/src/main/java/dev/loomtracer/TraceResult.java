package dev.loomtracer;

/**
 * What a finished trace wrote and what it could not.
 *
 * @param bytes              bytes written to the sink (0 for a custom reader)
 * @param generations        complete generations written
 * @param lostEvents         events dropped because buffer memory ran out; when non-zero the
 *                           trace ended early and its last generation records the loss
 * @param inconsistentEvents events dropped because they contradicted what the trace had told
 *                           (a capture-layer defect, or two threads telling one transition at
 *                           once, as thread dumps can make them; 0 in a healthy setup)
 * @param nestedEvents       events dropped because they were emitted from inside the tracer's own
 *                           write on the same carrier (a hook re-entered the tracer; 0 in a
 *                           healthy setup)
 */
public record TraceResult(long bytes, long generations, long lostEvents, long inconsistentEvents, long nestedEvents) {
    /** True if the trace holds everything the tracer saw. */
    public boolean complete() {
        return lostEvents == 0 && inconsistentEvents == 0 && nestedEvents == 0;
    }
}

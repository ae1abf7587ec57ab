package dev.loomtracer;

/**
 * What a finished trace wrote and what it could not.
 *
 * @param bytes              bytes written to the sink (0 for a custom reader)
 * @param generations        complete generations written
 * @param lostEvents         events dropped because buffer memory ran out; when non-zero the
 *                           trace ended early and its last generation records the loss
 * @param inconsistentEvents events dropped because they contradicted what the trace had told
 *                           (a capture-layer defect; 0 in a healthy setup)
 */
public record TraceResult(long bytes, long generations, long lostEvents, long inconsistentEvents) {
    /** True if the trace holds everything the tracer saw. */
    public boolean complete() {
        return lostEvents == 0 && inconsistentEvents == 0;
    }
}

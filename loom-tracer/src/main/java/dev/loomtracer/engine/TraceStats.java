package dev.loomtracer.engine;

/**
 * What a trace lost and why, as counted by the engine.
 *
 * @param generations       generations written
 * @param lostEvents        events dropped because buffer memory ran out (the trace then ends early)
 * @param nestedEvents      events a hook tried to emit from inside the tracer (never written)
 * @param inconsistentEvents events dropped because they contradicted what the trace had told
 * @param lossGeneration    the first generation that lost events, or 0
 * @param unstableFramePcs  frames given a PC they could not keep for the whole trace, because the
 *                          trace's frame table was full ({@code FramePcs}): such a frame may have
 *                          several PCs (a PC still never names two frames)
 * @param bytesRead         bytes of trace handed to the reader
 * @param endReason         why the trace ended by itself before it was stopped, or null
 * @param endEpochMillis    when it did (wall clock), or 0
 * @param unrecordedEstimate events after that end, not recorded: an estimate at the trace's average rate
 */
public record TraceStats(long generations, long lostEvents, long nestedEvents, long inconsistentEvents, long lossGeneration,
                         long unstableFramePcs, long bytesRead, String endReason, long endEpochMillis, long unrecordedEstimate) {
    static TraceStats of(TraceSession s, long flushedGen) {
        return new TraceStats(flushedGen, s.lostEvents.sum(), s.nestedEvents.sum(), s.inconsistentEvents.sum(), s.lossGen.get(),
                s.pcs.unremembered(), s.bytesRead.get(), s.endReason, s.endEpochMillis, s.unrecordedEstimate(System.nanoTime()));
    }
}

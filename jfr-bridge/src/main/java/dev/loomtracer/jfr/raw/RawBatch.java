package dev.loomtracer.jfr.raw;

import dev.loomtracer.format.EventType;

/**
 * One batch exactly as it is on the wire: header fields plus its bytes, header included, so a
 * trace can be copied through batch by batch without re-encoding.
 *
 * <p>Invariant: {@code bytes[payloadStart..]} is the payload the header announced;
 * {@code offset} is the byte offset of {@code bytes[0]} in the trace.
 *
 * @param experiment the experiment id of an ExperimentalBatch, 0 for an EventBatch
 */
public record RawBatch(long gen, long m, long ticks, byte[] bytes, int payloadStart, long offset, int experiment) {

    /** The first payload byte (the structural kind for table batches), or -1 if empty. */
    public int kind() {
        return payloadStart < bytes.length ? bytes[payloadStart] & 0xFF : -1;
    }

    public int payloadLength() {
        return bytes.length - payloadStart;
    }

    public boolean isExperimental() {
        return experiment != 0;
    }

    public boolean isFrequency() {
        return !isExperimental() && kind() == EventType.FREQUENCY;
    }

    public boolean isStrings() {
        return !isExperimental() && kind() == EventType.STRINGS;
    }

    public boolean isStacks() {
        return !isExperimental() && kind() == EventType.STACKS;
    }

    public boolean isCpuSamples() {
        return !isExperimental() && kind() == EventType.CPU_SAMPLES;
    }

    /** True for a batch of timed events on an M (not a table, sample, frequency or experimental batch). */
    public boolean isEvents() {
        return !isExperimental() && !isFrequency() && !isStrings() && !isStacks() && !isCpuSamples();
    }
}

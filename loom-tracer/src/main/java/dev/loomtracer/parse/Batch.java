package dev.loomtracer.parse;

import dev.loomtracer.format.EventType;

/**
 * One batch as framed on the wire: its header fields and its undecoded payload.
 *
 * <p>Invariant: {@code data.length <= BatchLayout.MAX_PAYLOAD}, and {@code dataOffset} is the
 * trace byte offset of {@code data[0]}, so an event at {@code data[i]} is at byte
 * {@code dataOffset + i}.
 *
 * @param experiment the experiment id of an ExperimentalBatch, 0 for an EventBatch
 */
record Batch(long gen, long m, long ticks, byte[] data, long offset, long dataOffset, int experiment) {

    private boolean startsWith(int type) {
        return experiment == 0 && data.length > 0 && (data[0] & 0xFF) == type;
    }

    boolean isStrings() {
        return startsWith(EventType.STRINGS);
    }

    boolean isStacks() {
        return startsWith(EventType.STACKS);
    }

    boolean isCpuSamples() {
        return startsWith(EventType.CPU_SAMPLES);
    }

    boolean isFrequency() {
        return startsWith(EventType.FREQUENCY);
    }

    boolean isExperimental() {
        return experiment != 0;
    }

    /** Offset just past this batch. */
    long end() {
        return dataOffset + data.length;
    }
}

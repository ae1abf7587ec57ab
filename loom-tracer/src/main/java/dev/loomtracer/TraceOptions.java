package dev.loomtracer;

import java.time.Duration;

/**
 * How a trace is cut and bounded: the one description of a trace's settings, for the public API
 * and the engine alike ({@code Tracer.start} takes it).
 *
 * <p>Invariant: immutable and validated on construction; an instance that exists is usable.
 * Start from {@link #defaults()}: a generation per second (or per 8 MiB, whichever comes first),
 * 64 MiB of buffer memory, no stacks.
 */
public final class TraceOptions {
    /** Which events carry a call stack. Stacks cost a stack walk per event that has one. */
    public enum Stacks {
        /** No stacks (the cheapest). */
        OFF,
        /** Stacks where a virtual thread blocks, is created, or annotates. */
        ON_BLOCK,
        /** Stacks on every event that can have one. */
        ALL
    }

    /** The smallest generation size accepted. */
    public static final long MIN_GENERATION_BYTES = 64 << 10;
    /** The default generation size (a generation ends early past it). */
    public static final long DEFAULT_GENERATION_BYTES = 8L << 20;
    /** The smallest buffer memory accepted (it must also hold a generation's worth). */
    public static final long MIN_BUFFER_BYTES = 4 * MIN_GENERATION_BYTES;

    private static final TraceOptions DEFAULTS =
            new TraceOptions(Duration.ofSeconds(1), DEFAULT_GENERATION_BYTES, 64L << 20, Stacks.OFF);

    private final Duration generationPeriod;
    private final long generationBytes;
    private final long bufferMemory;
    private final Stacks stacks;

    private TraceOptions(Duration generationPeriod, long generationBytes, long bufferMemory, Stacks stacks) {
        if (generationPeriod == null || generationPeriod.toMillis() < 10) {
            throw new IllegalArgumentException("generation period must be at least 10 ms, got " + generationPeriod);
        }
        if (generationBytes < MIN_GENERATION_BYTES) {
            throw new IllegalArgumentException("generation size must be at least 64 KiB, got " + generationBytes);
        }
        if (bufferMemory < MIN_BUFFER_BYTES || bufferMemory < generationBytes) {
            throw new IllegalArgumentException("buffer memory must be at least 256 KiB and at least the generation size, got "
                    + bufferMemory);
        }
        if (stacks == null) {
            throw new IllegalArgumentException("stack mode must not be null");
        }
        this.generationPeriod = generationPeriod;
        this.generationBytes = generationBytes;
        this.bufferMemory = bufferMemory;
        this.stacks = stacks;
    }

    public static TraceOptions defaults() {
        return DEFAULTS;
    }

    /** How long a generation lasts at most (at least 10 ms). */
    public TraceOptions generationPeriod(Duration period) {
        return new TraceOptions(period, generationBytes, bufferMemory, stacks);
    }

    /**
     * A generation ends early once this many bytes were written in it (at least 64 KiB); buffer
     * memory grows to it if it was smaller.
     */
    public TraceOptions generationBytes(long bytes) {
        return new TraceOptions(generationPeriod, bytes, Math.max(bufferMemory, bytes), stacks);
    }

    /**
     * Memory the tracer's buffers may use (at least 256 KiB and the generation size). If the
     * reader falls this far behind, the trace ends early with every complete generation kept and
     * the loss recorded; the application never waits.
     */
    public TraceOptions bufferMemory(long bytes) {
        return new TraceOptions(generationPeriod, generationBytes, bytes, stacks);
    }

    /** Which events carry a call stack. */
    public TraceOptions stacks(Stacks mode) {
        return new TraceOptions(generationPeriod, generationBytes, bufferMemory, mode);
    }

    public Duration generationPeriod() {
        return generationPeriod;
    }

    public long generationBytes() {
        return generationBytes;
    }

    public long bufferMemory() {
        return bufferMemory;
    }

    public Stacks stacks() {
        return stacks;
    }

    @Override
    public String toString() {
        return "TraceOptions[generationPeriod=" + generationPeriod + ", generationBytes=" + generationBytes
                + ", bufferMemory=" + bufferMemory + ", stacks=" + stacks + "]";
    }
}

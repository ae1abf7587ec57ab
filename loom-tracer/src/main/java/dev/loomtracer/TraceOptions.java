package dev.loomtracer;

import dev.loomtracer.engine.TraceConfig;

import java.time.Duration;

/**
 * How a trace is cut and bounded. Immutable; start from {@link #defaults()}.
 *
 * <p>Defaults: a generation per second (or per 8 MiB, whichever comes first), 64 MiB of buffer
 * memory, no stacks.
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

    /** The default generation size (a generation ends early past it), and the smallest accepted. */
    public static final long DEFAULT_GENERATION_BYTES = TraceConfig.DEFAULT.generationBytes();
    public static final long MIN_GENERATION_BYTES = TraceConfig.MIN_GENERATION_BYTES;
    /** The smallest buffer memory accepted (it must also hold a generation's worth). */
    public static final long MIN_BUFFER_BYTES = TraceConfig.MIN_BUFFER_BYTES;

    private final Duration generationPeriod;
    private final long generationBytes;
    private final long bufferMemory;
    private final Stacks stacks;

    private TraceOptions(Duration generationPeriod, long generationBytes, long bufferMemory, Stacks stacks) {
        this.generationPeriod = generationPeriod;
        this.generationBytes = generationBytes;
        this.bufferMemory = bufferMemory;
        this.stacks = stacks;
        toConfig(); // validates
    }

    public static TraceOptions defaults() {
        TraceConfig d = TraceConfig.DEFAULT;
        return new TraceOptions(d.generationPeriod(), d.generationBytes(), d.maxBufferBytes(), Stacks.OFF);
    }

    /** How long a generation lasts at most (at least 10 ms). */
    public TraceOptions generationPeriod(Duration period) {
        return new TraceOptions(period, generationBytes, bufferMemory, stacks);
    }

    /** A generation ends early once this many bytes were written in it (at least 64 KiB). */
    public TraceOptions generationBytes(long bytes) {
        return new TraceOptions(generationPeriod, bytes, Math.max(bufferMemory, bytes), stacks);
    }

    /**
     * Memory the tracer's buffers may use. If the reader falls this far behind, the trace ends
     * early with every complete generation kept and the loss recorded; the application never waits.
     */
    public TraceOptions bufferMemory(long bytes) {
        return new TraceOptions(generationPeriod, generationBytes, bytes, stacks);
    }

    public TraceOptions stacks(Stacks mode) {
        return new TraceOptions(generationPeriod, generationBytes, bufferMemory, mode);
    }

    public Duration generationPeriod() {
        return generationPeriod;
    }

    public Stacks stacks() {
        return stacks;
    }

    TraceConfig toConfig() {
        return new TraceConfig(generationPeriod, generationBytes, bufferMemory,
                stacks == null ? null : TraceConfig.StackMode.valueOf(stacks.name()));
    }

    @Override
    public String toString() {
        return "TraceOptions[generationPeriod=" + generationPeriod + ", generationBytes=" + generationBytes
                + ", bufferMemory=" + bufferMemory + ", stacks=" + stacks + "]";
    }
}

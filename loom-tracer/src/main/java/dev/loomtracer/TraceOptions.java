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
        /**
         * Stacks on a random sample of the events where a virtual thread blocks (one in
         * {@value #SAMPLE_ONE_IN} on average), is created or annotates (one in
         * {@value #SIDE_SAMPLE_ONE_IN}): cheap enough to leave on. Every stack written is the
         * event's own.
         */
        ON_BLOCK,
        /** Stacks on every event where a virtual thread blocks, is created, or annotates. */
        EVERY_BLOCK,
        /** Stacks on every event that can have one. */
        ALL;

        /** {@link #ON_BLOCK} gives one block in this many a stack, on average. */
        public static final int SAMPLE_ONE_IN = 16;

        /**
         * {@link #ON_BLOCK} gives one creation or annotation (task, region, log) in this many a
         * stack, on average. Fewer than blocks: their stacks say where a thread was made or a
         * region entered, which a few samples show (a program does it at a few fixed places), no
         * time is attributed to them, and a server makes and annotates more often than it blocks
         * (the example server's request: 2 creations and 10 annotations to 6 blocks), so at 1 in 16
         * they cost more than the blocks' stacks (docs/PERFORMANCE.md, "Where a traced server's
         * CPU goes").
         */
        public static final int SIDE_SAMPLE_ONE_IN = 64;

        /**
         * Whether the block about to be written gets a stack in this mode:
         * never when OFF, at random one in {@link #SAMPLE_ONE_IN} with ON_BLOCK (docs/CAPTURE.md,
         * "Sampled stacks"), always otherwise. Allocates nothing (the calling thread's own
         * {@link java.util.concurrent.ThreadLocalRandom}).
         */
        public boolean takesBlockStack() {
            return dev.loomtracer.engine.StackSampling.takes(dev.loomtracer.engine.StackSampling.blockOneIn(this));
        }

        /** The words the command line, the agent and the endpoints accept, in order. */
        public static final String WORDS = "off, on-block, every-block or all";

        /**
         * The mode a user wrote: {@code off}, {@code on-block}, {@code every-block} or {@code all}
         * (any case; {@code _} for {@code -}); null for anything else.
         */
        public static Stacks parse(String word) {
            if (word == null) {
                return null;
            }
            return switch (word.trim().toLowerCase(java.util.Locale.ROOT).replace('_', '-')) {
                case "off" -> OFF;
                case "on-block" -> ON_BLOCK;
                case "every-block" -> EVERY_BLOCK;
                case "all" -> ALL;
                default -> null;
            };
        }
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

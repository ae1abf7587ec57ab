package dev.loomtracer.engine;

import java.time.Duration;

/**
 * The engine's settings for one trace.
 *
 * <p>Invariant: validated on construction; a config that exists is usable.
 *
 * @param generationPeriod  how long a generation lasts at most
 * @param generationBytes   a generation ends early once this many bytes were flushed in it
 * @param maxBufferBytes    memory the writers' buffers may use; past it events are dropped and counted
 * @param stacks            when events carry stacks
 */
public record TraceConfig(Duration generationPeriod, long generationBytes, long maxBufferBytes, StackMode stacks) {
    /** Which events capture a stack. */
    public enum StackMode {
        /** No stacks: the cheapest mode. */
        OFF,
        /** Stacks on block events, creations and user annotations. */
        ON_BLOCK,
        /** Stacks on every event that has a stack field. */
        ALL
    }

    /** The smallest generation size and buffer memory a trace accepts. */
    public static final long MIN_GENERATION_BYTES = 64 << 10;
    public static final long MIN_BUFFER_BYTES = 4 * MIN_GENERATION_BYTES;

    public static final TraceConfig DEFAULT = new TraceConfig(Duration.ofSeconds(1), 8L << 20, 64L << 20, StackMode.OFF);

    public TraceConfig {
        if (generationPeriod == null || generationPeriod.toMillis() < 10) {
            throw new IllegalArgumentException("generation period must be at least 10 ms, got " + generationPeriod);
        }
        if (generationBytes < MIN_GENERATION_BYTES) {
            throw new IllegalArgumentException("generation size must be at least 64 KiB, got " + generationBytes);
        }
        if (maxBufferBytes < MIN_BUFFER_BYTES || maxBufferBytes < generationBytes) {
            throw new IllegalArgumentException("buffer memory must be at least 256 KiB and at least the generation size, got "
                    + maxBufferBytes);
        }
        if (stacks == null) {
            throw new IllegalArgumentException("stack mode must not be null");
        }
    }
}

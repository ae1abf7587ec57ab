package dev.loomtracer.parse;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The structural data of one generation: its byte range, timestamp frequency, string and stack
 * tables, per-M event batches (undecoded) and CPU samples (Go's {@code generation}).
 *
 * <p>Invariant: once returned by the parser it is complete and self-consistent: it had a
 * frequency batch, every stack frame names strings of this generation's table, and only this
 * generation's data is held, so memory is bounded by one generation, and within it by its content:
 * empty event batches are not kept, and at most {@link #MAX_EVENT_BATCHES} event batches are.
 */
public final class Generation {
    /**
     * Event batches one generation may have (each costs ~150 bytes of heap beyond its events): 16 GiB
     * of full batches, far beyond what a writer flushes per generation (8 MiB by default here, a
     * few MiB in Go); past it the trace is refused with a message naming the limit.
     */
    public static final int MAX_EVENT_BATCHES = 1 << 18;

    /**
     * Work the validator may spend per generation trying other Ms when the earliest event cannot
     * be ordered yet, per byte of the generation (plus {@link #ORDERING_WORK_BASE}): a crafted
     * trace handing one goroutine across thousands of Ms out of time order makes that search
     * quadratic (as in Go's parser); past the bound the trace is refused with a message saying so.
     */
    public static final long ORDERING_WORK_PER_BYTE = 64;
    public static final long ORDERING_WORK_BASE = 10_000_000;

    final long number;
    final long startOffset;
    long endOffset;
    long ticksPerSecond;
    /** Nanoseconds per tick, computed exactly as Go's parser does. */
    double nsPerTick;
    boolean hasFrequency;
    final LongMap<String> strings = new LongMap<>();
    final Map<Long, long[]> stackPcs = new HashMap<>();
    /** Raw frames by PC: {function string id, file string id, line}. */
    final Map<Long, long[]> pcs = new HashMap<>();
    final LongMap<ParsedStack> stacks = new LongMap<>();
    /** Event batches per M in the order they appear; insertion order keeps the merge deterministic. */
    final Map<Long, List<Batch>> batches = new LinkedHashMap<>();
    final List<CpuSample> cpuSamples = new ArrayList<>();
    int batchCount;
    int eventBatches;
    int experimentalBatches;

    Generation(long number, long startOffset) {
        this.number = number;
        this.startOffset = startOffset;
        this.endOffset = startOffset;
    }

    /** The generation number as written in its batch headers. */
    public long number() {
        return number;
    }

    /** Byte offset of the first batch of this generation. */
    public long startOffset() {
        return startOffset;
    }

    /** Byte offset just past the last batch of this generation. */
    public long endOffset() {
        return endOffset;
    }

    /** Bytes of the trace this generation occupies. */
    public long size() {
        return endOffset - startOffset;
    }

    /** Timestamp ticks per second, from the frequency batch. */
    public long ticksPerSecond() {
        return ticksPerSecond;
    }

    /** Converts a tick count of this generation to nanoseconds, exactly as Go's parser does. */
    public long ticksToNanos(long ticks) {
        return (long) (unsignedToDouble(ticks) * nsPerTick);
    }

    static double unsignedToDouble(long v) {
        double d = (double) (v & Long.MAX_VALUE);
        return v < 0 ? d + 0x1.0p63 : d;
    }

    /** The string with this id, "" for id 0, or null if the generation has no such string. */
    public String string(long id) {
        return id == 0 ? "" : strings.getRecent(id); // most events name one of a few strings (a reason, a task type)
    }

    /** The stack with this id, {@link ParsedStack#EMPTY} for id 0, or null if there is no such stack. */
    public ParsedStack stack(long id) {
        return id == 0 ? ParsedStack.EMPTY : stacks.get(id);
    }

    public int stringCount() {
        return strings.size();
    }

    public int stackCount() {
        return stacks.size();
    }

    /** Number of batches of every kind in this generation. */
    public int batchCount() {
        return batchCount;
    }

    /** The Ms (threads) that have event batches in this generation. */
    public Set<Long> threads() {
        return Collections.unmodifiableSet(batches.keySet());
    }

    /** Number of CPU profile samples of this generation. */
    public int cpuSampleCount() {
        return cpuSamples.size();
    }

    @Override
    public String toString() {
        return "generation " + number + " [bytes " + startOffset + ".." + endOffset + ", "
                + batchCount + " batches, " + strings.size() + " strings, " + stacks.size() + " stacks]";
    }
}

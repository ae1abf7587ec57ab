package dev.loomtracer.parse;

/**
 * A CPU profile sample from a CPUSamples batch (Go's {@code cpuSample}).
 *
 * <p>Invariant: {@code time} is in nanoseconds (converted with the generation's frequency),
 * {@code g} is -1 when the sample names goroutine 0.
 */
record CpuSample(long time, long m, long p, long g, long stack, long offset) {}

package dev.loomtracer.engine;

/**
 * Read-only looks into the engine's buffer memory for the start/stop stress run
 * ({@code ./loomtrace stress}, {@code dev.loomtracer.stress.StressMain}: a stalled reader's buffers
 * must stay within {@code bufferMemory}; docs/STRESS.md).
 *
 * <p>Invariant: it reads, never changes, and is the stress run's only way into the engine. It lives
 * in the engine's package because the pool is package-private, and in the main jar because the
 * stress run is a command that runs on the build's class path (the engine's test-jar, which holds
 * the jcstress tests' white-box fixtures, is not on it). On the module path it is as hidden as the
 * rest of {@code dev.loomtracer.engine}: exported only to the capture layer and the JFR bridge.
 */
public final class EngineProbe {
    private EngineProbe() {}

    /** Standard buffers the tracer's pool has allocated (its memory in use), and its limit. */
    public static int[] buffers(Tracer t) {
        BufferPool p = t.pool;
        return new int[] {p.allocated(), p.maxBuffers()};
    }

    /** Bytes of one standard buffer. */
    public static int bufferBytes() {
        return TraceBuf.HEADER_RESERVE + TraceBuf.STANDARD_PAYLOAD;
    }
}

package dev.loomtracer.engine;

/** Read-only looks into the engine for the stress run (same package, no engine change). */
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

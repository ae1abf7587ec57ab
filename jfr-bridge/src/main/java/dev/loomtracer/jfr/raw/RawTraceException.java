package dev.loomtracer.jfr.raw;

import java.io.IOException;

/**
 * A trace whose framing (header, batch headers) is broken, found without parsing events.
 *
 * <p>Invariant: the message says where: the byte offset when known and the generation when known.
 */
public final class RawTraceException extends IOException {
    private static final long serialVersionUID = 1L;

    private final long generation;
    private final long offset;

    /** {@code generation} 0 or -1 and {@code offset} -1 mean unknown. */
    public RawTraceException(long generation, long offset, String detail) {
        super("invalid trace" + (offset >= 0 ? " at byte " + offset : "")
                + (generation > 0 ? " in generation " + generation : "") + ": " + detail);
        this.generation = generation;
        this.offset = offset;
    }

    public long generation() {
        return generation;
    }

    public long offset() {
        return offset;
    }
}

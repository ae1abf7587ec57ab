package dev.loomtracer.parse;

import java.io.IOException;

/**
 * A trace that does not follow the format or the ordering rules of Go's parser.
 *
 * <p>Invariant: the message always says where: the byte offset (when one is known), the generation
 * (when one is known) and, for an event, the M and the event type. A trace that ends early is
 * reported as {@code "trace truncated at byte N in generation G: ..."} and {@link #truncated()} is
 * true; every generation before G has then been returned complete.
 */
public final class TraceFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final long generation;
    private final long offset;
    private final boolean truncated;
    final String detail;

    TraceFormatException(String message, String detail, long generation, long offset, boolean truncated) {
        super(message);
        this.detail = detail;
        this.generation = generation;
        this.offset = offset;
        this.truncated = truncated;
    }

    /** An invalid trace: {@code generation} 0 and {@code offset} -1 mean unknown. */
    static TraceFormatException invalid(long generation, long offset, String detail) {
        return new TraceFormatException("invalid trace" + where(generation, offset) + ": " + detail,
                detail, generation, offset, false);
    }

    /** A trace that ends at byte {@code offset} before generation {@code generation} is complete. */
    static TraceFormatException truncated(long generation, long offset, String detail) {
        String gen = generation > 0 ? " in generation " + generation : "";
        return new TraceFormatException("trace truncated at byte " + offset + gen + ": " + detail,
                detail, generation, offset, true);
    }

    /** The same problem, attributed to another generation. */
    TraceFormatException inGeneration(long gen) {
        return truncated ? truncated(gen, offset, detail) : invalid(gen, offset, detail);
    }

    private static String where(long generation, long offset) {
        StringBuilder sb = new StringBuilder();
        if (offset >= 0) {
            sb.append(" at byte ").append(offset);
        }
        if (generation > 0) {
            sb.append(" in generation ").append(generation);
        }
        return sb.toString();
    }

    /** The generation the problem is in, or 0 if it is not known. */
    public long generation() {
        return generation;
    }

    /** Byte offset in the trace where the problem is, or -1 if it is not known. */
    public long offset() {
        return offset;
    }

    /** True if the trace ends before its last generation is complete. */
    public boolean truncated() {
        return truncated;
    }
}

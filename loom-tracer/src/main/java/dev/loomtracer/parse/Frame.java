package dev.loomtracer.parse;

/**
 * One stack frame as the trace records it. In traces written by Loom Tracer {@code function} is
 * {@code Class.method}, {@code file} the source file name and {@code line} the line number.
 *
 * <p>Invariant: {@code function} and {@code file} are resolved strings of the frame's generation,
 * never null ("" when the trace says string 0).
 */
public record Frame(long pc, String function, String file, long line) {
    @Override
    public String toString() {
        return function + " (" + file + ":" + line + ")";
    }
}

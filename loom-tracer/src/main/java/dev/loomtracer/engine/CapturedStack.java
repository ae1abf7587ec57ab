package dev.loomtracer.engine;

import java.util.Arrays;

/**
 * A call stack captured for an event, innermost frame first, as the format wants it.
 *
 * <p>Invariant: immutable; equal stacks have equal hashes, so a generation's stack table holds
 * each distinct stack once.
 */
public final class CapturedStack {
    /** One frame: function {@code Class.method}, source file path, line (0 if unknown). */
    public record Frame(String function, String file, int line) {}

    final Frame[] frames;
    private final int hash;

    CapturedStack(Frame[] frames) {
        this.frames = frames;
        this.hash = Arrays.hashCode(frames);
    }

    /** A stack of the given frames, innermost first. */
    public static CapturedStack ofFrames(Frame... frames) {
        return new CapturedStack(frames.clone());
    }

    /**
     * The heap this stack holds while a stack table keeps it: the object and its array, and per
     * frame the record and its two strings, which {@link StackCapture#frameOf} builds anew for
     * every capture (so they are not shared with other stacks). Characters are counted at 2
     * bytes, as {@link StringTable} does: an upper bound for Latin-1 strings.
     */
    long heapBytes() {
        long b = 16 + 16 + 4L * frames.length; // this object, the array's header and references
        for (Frame f : frames) {
            b += FRAME_BYTES + 2L * (f.function().length() + f.file().length());
        }
        return b;
    }

    /** A frame record (header, two references, an int) and two strings' objects and array headers. */
    private static final long FRAME_BYTES = 24 + 2 * (24 + 16);

    public int depth() {
        return frames.length;
    }

    public Frame frame(int i) {
        return frames[i];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CapturedStack s && s.hash == hash && Arrays.equals(s.frames, frames);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}

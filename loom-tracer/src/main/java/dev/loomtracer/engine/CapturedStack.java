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

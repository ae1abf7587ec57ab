package dev.loomtracer.parse;

import java.util.List;

/**
 * A resolved stack of one generation, innermost frame first.
 *
 * <p>Invariant: immutable; {@link #EMPTY} (id 0) stands for "no stack", which every generation has.
 */
public record ParsedStack(long id, List<Frame> frames) {
    public static final ParsedStack EMPTY = new ParsedStack(0, List.of());

    public ParsedStack {
        frames = List.copyOf(frames);
    }

    public boolean isEmpty() {
        return frames.isEmpty();
    }

    /** The innermost frame, or null for an empty stack. */
    public Frame top() {
        return frames.isEmpty() ? null : frames.get(0);
    }
}

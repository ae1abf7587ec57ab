package dev.loomtracer.engine;

import dev.loomtracer.TraceResult;
import java.util.HashMap;
import java.util.Map;

/**
 * tracepc: the PC of each frame, for the whole trace.
 *
 * <p>Invariant: within one trace (a session, from start to stop, and so in every generation and
 * every flight-recorder snapshot of it) a PC names exactly one frame (function, file, line): PCs
 * are handed out in increasing order and never reused. Go's parser reads each generation's stack
 * table on its own, but {@code go tool trace}'s profiles ({@code -pprof=sync|net|...}, the web
 * UI's profile pages) key frames by PC across the whole trace (Go's {@code cmd/trace/pprof.go},
 * {@code internal/trace/traceviewer/pprof.go}), so a PC that meant another frame in another
 * generation would draw impossible stacks.
 *
 * <p>Memory is bounded: at most {@link #capacity} frames are remembered (each keeps the PC it
 * got). A frame first met when the table is full gets a fresh, never-reused PC each time a
 * generation's table is dumped: it can then have several PCs in one trace, but no PC ever names
 * two frames; such frames are counted ({@link #unremembered()}). Used only by the advancer's
 * table dump, never by a writer on the hot path.
 */
final class FramePcs {
    /** Frames remembered by default: a few MiB at most (a map entry, a boxed PC, the frame's record). */
    static final int DEFAULT_CAPACITY = 1 << 16;
    /** The first PC; PCs step by 4 as Go's tools expect nothing of them but distinctness. */
    static final long FIRST_PC = 0x1000;

    private final int capacity;
    private final Map<CapturedStack.Frame, Long> pcs = new HashMap<>();
    private long nextPc = FIRST_PC;
    private long unremembered;

    FramePcs() {
        this(DEFAULT_CAPACITY);
    }

    FramePcs(int capacity) {
        this.capacity = capacity;
    }

    /** The PC of {@code f} in this trace. */
    synchronized long pc(CapturedStack.Frame f) {
        Long pc = pcs.get(f);
        if (pc != null) {
            return pc;
        }
        long fresh = nextPc;
        nextPc += 4;
        if (pcs.size() < capacity) {
            pcs.put(f, fresh);
        } else if (unremembered++ == 0) {
            System.getLogger("dev.loomtracer").log(System.Logger.Level.WARNING, "Loom Tracer: the trace's frame table is full ("
                    + capacity + " frames); frames first seen from now on get a new PC in each generation, so go tool trace's"
                    + " profiles may show such a frame more than once (counted in TraceResult.unstableFramePcs)");
        }
        return fresh;
    }

    /** Frames remembered so far (never more than the capacity). */
    synchronized int size() {
        return pcs.size();
    }

    /** How many times a frame got a PC it could not keep because the table was full. */
    synchronized long unremembered() {
        return unremembered;
    }
}

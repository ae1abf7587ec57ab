package dev.loomtracer.parse;

import java.io.IOException;

/**
 * Cuts the batch stream into generations (Go's {@code readGeneration}): a generation ends where
 * the first batch of the next one begins, or at the end of the input.
 *
 * <p>Invariant: {@link #next} returns only complete generations (one frequency batch; tables
 * consistent), holding at most one generation plus the first batch of the next in memory. When the
 * input ends inside a batch, or a generation ends without its frequency batch (our writer writes
 * it last), every generation before is returned and then the truncation is reported, naming the
 * generation it is in.
 */
final class GenerationReader {
    private final TraceInput in;
    private Batch spill;           // first batch of the next generation, already read
    private TraceFormatException pending; // error that belongs after the generation just returned
    private boolean done;
    private long lastGen;
    private boolean guessed; // pending is a cut inside a batch header whose generation was guessed

    GenerationReader(TraceInput in) {
        this.in = in;
    }

    /**
     * The cut that ends the input, if the last generation returned might be incomplete because of
     * it: the input ended inside a batch header before its generation number, and the batch was
     * taken to start the next generation (exact for our writer, which writes the frequency batch
     * last; a guess for traces written in another order). Null otherwise.
     */
    TraceFormatException cutAfterLast() {
        return guessed ? pending : null;
    }

    /** The next complete generation, or null at the end of the trace. */
    Generation next() throws IOException {
        if (pending != null) {
            TraceFormatException e = pending;
            pending = null;
            done = true;
            throw e;
        }
        if (done) {
            return null;
        }
        Generation g = null;
        if (spill != null) {
            g = new Generation(spill.gen(), spill.offset());
            TableBatches.add(g, spill);
            spill = null;
        } else if (lastGen != 0) {
            done = true;
            return null;
        }
        boolean nextStarted = false;
        for (;;) {
            long cur = g == null ? 0 : g.number;
            Batch b;
            try {
                b = BatchReader.read(in);
            } catch (BatchReader.Truncated t) {
                long gen = t.gen != 0 ? t.gen : g != null && g.hasFrequency ? cur + 1 : cur;
                TraceFormatException e = TraceFormatException.truncated(gen, t.offset, t.getMessage());
                if (g != null && gen == cur + 1 && g.hasFrequency) {
                    pending = e; // The generation before the cut is complete: return it first.
                    guessed = t.gen == 0;
                    break;
                }
                done = true;
                throw e;
            } catch (TraceFormatException e) {
                if (e.generation() == 0 && g != null) {
                    e = e.inGeneration(g.hasFrequency ? cur + 1 : cur);
                }
                if (g != null && g.hasFrequency && e.generation() == cur + 1) {
                    pending = e; // A malformed batch after a complete generation: as Go, return it first.
                    break;
                }
                done = true;
                throw e;
            }
            if (b == null) {
                break;
            }
            if (b.gen() == 0) {
                done = true;
                throw TraceFormatException.invalid(0, b.offset(), "invalid generation number 0");
            }
            if (g == null) {
                g = new Generation(b.gen(), b.offset()); // The first generation (later ones start from a spill).
            } else if (b.gen() == g.number + 1) {
                spill = b;
                nextStarted = true;
                break;
            } else if (b.gen() != g.number) {
                done = true;
                throw TraceFormatException.invalid(g.number, b.offset(), "generations out of order: batch of generation "
                        + b.gen() + " in generation " + g.number);
            }
            try {
                TableBatches.add(g, b);
            } catch (TraceFormatException e) {
                done = true;
                throw e;
            }
        }
        if (g == null) {
            done = true;
            throw TraceFormatException.truncated(0, in.offset(), "the trace has no generation (no batches after the header)");
        }
        if (!g.hasFrequency) {
            done = true;
            pending = null;
            if (nextStarted) {
                throw TraceFormatException.invalid(g.number, spill.offset(), "no frequency batch in generation " + g.number);
            }
            throw TraceFormatException.truncated(g.number, in.offset(),
                    "the generation has no frequency batch, so it is incomplete");
        }
        try {
            if (g.cpuSamples.isEmpty() && g.batches.values().stream().flatMap(java.util.List::stream)
                    .allMatch(b -> b.data().length == 0)) {
                // Go's reader fails on such a generation ("frontier is empty"); say why.
                if (nextStarted) {
                    throw TraceFormatException.invalid(g.number, g.startOffset, "generation " + g.number + " has no events");
                }
                throw TraceFormatException.truncated(g.number, in.offset(), "the generation has no events, so it is incomplete");
            }
            TableBatches.finish(g);
        } catch (TraceFormatException e) {
            done = true;
            TraceFormatException cut = cutAfterLast();
            pending = null;
            if (cut != null && !e.truncated()) {
                throw TraceFormatException.truncated(g.number, cut.offset(), cut.detail
                        + ", so generation " + g.number + " may be incomplete: " + e.getMessage());
            }
            throw e;
        }
        lastGen = g.number;
        if (!nextStarted && pending == null) {
            done = true;
        }
        return g;
    }
}

package dev.loomtracer.jfr.raw;

import java.io.IOException;

/**
 * Groups framed batches into generations and hands each one over once it is complete: when a
 * batch of a later generation arrives, at {@link #finish()}, or (with
 * {@code completeAtFrequency}, for live Loom Tracer streams, whose frequency batch is always the
 * generation's last) as soon as its frequency batch arrives.
 *
 * <p>Invariant: generations are handed over in stream order, each exactly once; a batch of a
 * generation already handed over, or of an earlier one, is an error naming its offset.
 */
public final class GenerationCollector implements BatchFramer.Sink {
    /** Receives complete generations. */
    public interface Consumer {
        void generation(RawGeneration g) throws IOException;
    }

    private final Consumer consumer;
    private final boolean completeAtFrequency;
    private final boolean scan;
    private RawGeneration current;
    private long lastDone;
    private String version;

    public GenerationCollector(Consumer consumer, boolean completeAtFrequency) {
        this(consumer, completeAtFrequency, true);
    }

    /** With {@code scan} false, generations are not decoded beyond their frequency (see {@link RawGeneration}). */
    public GenerationCollector(Consumer consumer, boolean completeAtFrequency, boolean scan) {
        this.consumer = consumer;
        this.completeAtFrequency = completeAtFrequency;
        this.scan = scan;
    }

    public String version() {
        return version;
    }

    @Override
    public void header(String version) {
        this.version = version;
    }

    @Override
    public void batch(RawBatch b) throws IOException {
        if (current != null && b.gen() != current.number()) {
            if (b.gen() < current.number()) {
                throw new RawTraceException(b.gen(), b.offset(), "generations out of order: batch of generation "
                        + b.gen() + " after generation " + current.number());
            }
            RawGeneration done = current;
            current = null;
            hand(done);
        }
        if (current == null) {
            if (b.gen() <= lastDone) {
                throw new RawTraceException(b.gen(), b.offset(), "batch of generation " + b.gen()
                        + " after that generation was complete");
            }
            current = new RawGeneration(b.gen(), scan);
        }
        current.add(b);
        if (completeAtFrequency && b.isFrequency()) {
            RawGeneration done = current;
            current = null;
            hand(done);
        }
    }

    private void hand(RawGeneration g) throws IOException {
        lastDone = g.number();
        consumer.generation(g);
    }

    /** The stream ended: hands over the last generation, if any. */
    public void finish() throws IOException {
        if (current != null) {
            RawGeneration done = current;
            current = null;
            hand(done);
        }
    }
}

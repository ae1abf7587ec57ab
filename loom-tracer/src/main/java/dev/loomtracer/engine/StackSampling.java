package dev.loomtracer.engine;

import dev.loomtracer.TraceOptions;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Which events get a stack under each stack mode (docs/CAPTURE.md, "Sampled stacks"): the rates,
 * as "one in N" (0 never, 1 always), and the per-event random draw.
 *
 * <p>Invariant: under {@code on-block} each block gets a stack with probability
 * 1/{@link TraceOptions.Stacks#SAMPLE_ONE_IN} and each creation or annotation with probability
 * 1/{@link TraceOptions.Stacks#SIDE_SAMPLE_ONE_IN}, independently of every other event (the
 * analysis relies on it to attribute the blocks without one); the draw allocates nothing and
 * touches no shared state (the calling thread's own {@link ThreadLocalRandom}).
 */
public final class StackSampling {
    private StackSampling() {}

    /** One block in how many gets a stack under {@code mode}. */
    public static int blockOneIn(TraceOptions.Stacks mode) {
        return switch (mode) {
            case OFF -> 0;
            case ON_BLOCK -> TraceOptions.Stacks.SAMPLE_ONE_IN;
            case EVERY_BLOCK, ALL -> 1;
        };
    }

    /** One creation or annotation in how many gets a stack under {@code mode}. */
    public static int sideOneIn(TraceOptions.Stacks mode) {
        return mode == TraceOptions.Stacks.ON_BLOCK ? TraceOptions.Stacks.SIDE_SAMPLE_ONE_IN : blockOneIn(mode);
    }

    /** The draw for one event at a rate from {@link #blockOneIn} or {@link #sideOneIn}. */
    public static boolean takes(int oneIn) {
        return oneIn == 1 || (oneIn > 1 && ThreadLocalRandom.current().nextInt(oneIn) == 0);
    }
}

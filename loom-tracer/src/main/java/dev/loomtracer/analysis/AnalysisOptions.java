package dev.loomtracer.analysis;

import java.util.function.LongConsumer;

/**
 * How {@link Analysis} runs.
 *
 * @param topN     length of every "top" list (worst waits, slowest tasks, stacks); at least 1
 * @param partial  on a truncated trace, analyse the complete generations and report the cut
 *                 ({@link AnalysisResult.TraceInfo#cut()}) instead of failing
 * @param progress called now and then with the bytes read so far; null for none
 *
 * <p>Invariant: immutable; the withers return copies.
 */
public record AnalysisOptions(int topN, boolean partial, LongConsumer progress) {
    public AnalysisOptions {
        if (topN < 1) {
            throw new IllegalArgumentException("topN must be at least 1, not " + topN);
        }
    }

    /** Top 10, whole traces only, no progress. */
    public static AnalysisOptions defaults() {
        return new AnalysisOptions(10, false, null);
    }

    public AnalysisOptions topN(int n) {
        return new AnalysisOptions(n, partial, progress);
    }

    public AnalysisOptions partial(boolean p) {
        return new AnalysisOptions(topN, p, progress);
    }

    public AnalysisOptions progress(LongConsumer p) {
        return new AnalysisOptions(topN, partial, p);
    }
}

package dev.loomtracer.format;


/** The complete generations at the front of a trace that was cut (a halted or killed JVM). */
public final class TracePrefix {
    private TracePrefix() {}

    /**
     * The byte offset where the last generation that is certainly complete ends: the start of
     * the first batch of the file's last generation (a generation is complete once a batch of a
     * later one follows it). Walks the batch framing only ({@link BatchLayout}).
     */
    public static long complete(byte[] a) {
        int p = BatchLayout.FILE_HEADER_LENGTH;
        long[] h = new long[BatchLayout.FIELDS];
        long lastGen = -1;
        long lastGenStart = p;
        while (p < a.length) {
            int start = p;
            p = BatchLayout.readHeader(a, p, a.length, h);
            long gen = h[BatchLayout.GEN];
            long size = h[BatchLayout.SIZE];
            if (p < 0 || !BatchLayout.validSize(size) || p + size > a.length) {
                break; // cut inside this batch, or not a batch
            }
            if (gen != lastGen) {
                lastGen = gen;
                lastGenStart = start;
            }
            p += (int) size;
        }
        return lastGenStart;
    }
}

package dev.loomtracer.format;


/** The complete generations at the front of a trace that was cut (a halted or killed JVM). */
public final class TracePrefix {
    private TracePrefix() {}

    /**
     * The byte offset where the last generation that is certainly complete ends: the start of
     * the first batch of the file's last generation (a generation is complete once a batch of a
     * later one follows it). Walks the batch framing only: [kind=EventBatch, gen, M, ts, size, payload].
     */
    public static long complete(byte[] a) {
        int p = EventType.HEADER.length;
        long[] x = new long[1];
        long lastGen = -1;
        long lastGenStart = p;
        while (p < a.length) {
            int start = p;
            if (a[p] != EventType.EVENT_BATCH) {
                break;
            }
            p++;
            long gen = -1;
            long size = -1;
            boolean ok = true;
            for (int i = 0; i < 4 && ok; i++) {
                p = Uvarint.read(a, p, a.length, x);
                ok = p > 0;
                if (i == 0) {
                    gen = x[0];
                } else if (i == 3) {
                    size = x[0];
                }
            }
            if (!ok || p + size > a.length) {
                break; // cut inside this batch
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

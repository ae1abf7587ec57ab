package dev.loomtracer.format;

/**
 * How a Loom trace says who a thread is, shared by the writer and the parser (docs/FORMAT.md,
 * "Names and platform threads").
 *
 * <p>Invariant: a G's name travels as a GoLabel on the running G (Go's own event for it, shown
 * by {@code go tool trace} next to the goroutine); a carrier's name, which no Go event can carry
 * (an M has no label), travels as a user log of category {@link #CARRIER_LOG} on whatever G runs
 * on the carrier, with the carrier's name as its message: the log's M is the carrier. Ids at or
 * above {@link #SYNTHETIC_FROM} belong to no Java thread ({@code threadId()} never gets there):
 * the tracer's own Ms and Gs (its reaper, the loss record, imported GC ranges).
 */
public final class ThreadIdentity {
    private ThreadIdentity() {}

    /** Category of the log that names the carrier (the log's M) it is written on. */
    public static final String CARRIER_LOG = "loomtrace.carrier";

    /** The lowest id the tracer uses for a thread of its own; Java thread ids stay far below. */
    public static final long SYNTHETIC_FROM = Long.MAX_VALUE - 63;

    /** True if {@code id} is a Java thread's id (not NONE, not one of the tracer's own). */
    public static boolean isJavaThread(long id) {
        return id >= 0 && id < SYNTHETIC_FROM;
    }
}

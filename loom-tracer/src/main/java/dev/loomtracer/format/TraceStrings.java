package dev.loomtracer.format;

/**
 * Strings with a meaning of their own that Loom Tracer writes into traces, for the writers that
 * write them and the readers (the analysis model) that recognise them.
 *
 * <p>Invariant: each string is defined here only; changing one changes what old traces mean to
 * new readers, so they never change.
 */
public final class TraceStrings {
    private TraceStrings() {}

    /**
     * Reason of the GoStop the engine writes by itself when a thread it never saw stop is replaced
     * on its carrier by another (a thread emitting annotations without a capture layer).
     */
    public static final String UNOBSERVED_SWITCH = "unobserved switch";

    /** Category of the user log that tells why the pinned block that follows it on the same thread pins. */
    public static final String PINNED_LOG_KEY = "loomtrace.pinned";
}

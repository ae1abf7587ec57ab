package dev.loomtracer.hooks.core;

/**
 * Which capture path is live in this JVM.
 *
 * <p>Invariant: at most one path emits a given transition. When the agent is loaded it traces
 * every virtual thread, whatever its scheduler (it instruments {@code VirtualThread} itself), so
 * a {@code TracingScheduler} in the same JVM only schedules and leaves the events to the agent.
 */
public final class Capture {
    private Capture() {}

    private static volatile boolean agentActive;

    /** Set once by the agent, before it instruments anything. */
    public static void agentLoaded() {
        agentActive = true;
    }

    public static boolean agentActive() {
        return agentActive;
    }
}

package dev.loomtracer.engine;

/**
 * Tells a program when its tracer is not the one the agent's hooks feed.
 *
 * <p>Invariant: the Loom Tracer agent (and {@code loomtrace run --patch}) puts the engine on the
 * boot class path, and the hooks in {@code java.lang.VirtualThread} call that copy's
 * {@link Tracer#GLOBAL}. On the class path a program's calls resolve to the same copy (its class
 * loader asks the boot loader first). A program that has loom-tracer as the named module
 * {@code dev.loomtracer} gets the module's own copy instead (a class loader takes a package of one
 * of its modules from that module): a second tracer that no hook feeds, whose trace would hold the
 * program's tasks, regions and logs but no scheduling. Starting such a trace logs one warning that
 * says so (docs/API.md, "On the module path").
 */
final class AgentCopy {
    private AgentCopy() {}

    /** Logs the warning if another copy of the engine is on the boot class path. */
    static void warnIfNotTheHooksTracer() {
        if (Tracer.class.getClassLoader() == null) {
            return; // this is the boot class path's copy
        }
        try {
            Class.forName(Tracer.class.getName(), false, null);
        } catch (ClassNotFoundException e) {
            return; // no agent: this copy is the only one
        }
        System.getLogger("dev.loomtracer").log(System.Logger.Level.WARNING, "Loom Tracer: the agent is loaded and its hooks "
                + "feed the tracer on the boot class path, not this one (" + Tracer.class.getModule() + "): this trace "
                + "holds no scheduling events. With the agent, put loom-tracer on the class path, or leave it out (the agent's "
                + "jar holds the API)");
    }
}

/**
 * Loom Tracer's capture layer: the tracing scheduler, the agent and the {@code run}, {@code attach}
 * and {@code list} commands.
 *
 * <p>Invariant: it writes traces through the engine's writer ({@code dev.loomtracer.engine}) and
 * the wire format, which loom-tracer exports to this module alone with the JFR bridge; javac
 * checks here that it uses nothing else of the engine's. A program gets {@link
 * dev.loomtracer.hooks.TracingScheduler}; the agent and the commands are reached by the JVM
 * ({@code -javaagent:}) and by the launcher, from the class path, where this declaration does not
 * apply (the agent then puts itself and the engine on the boot class path; docs/API.md).
 */
module dev.loomtracer.hooks {
    requires dev.loomtracer;
    requires java.instrument; // the agent
    requires java.management;
    requires jdk.management; // bench.OverheadChild: a thread's CPU time and allocated bytes
    requires jdk.attach; // attach, list

    exports dev.loomtracer.hooks;
}

/**
 * Loom Tracer: the engine, its public API, the trace parser, the analyses, the report and the
 * debug endpoints.
 *
 * <p>Invariant: on the module path a program reaches only the packages exported to every module,
 * the ones docs/API.md, docs/FORMAT.md ("Parser API") and docs/REPORT.md document. The writer
 * ({@code engine}) and the wire format ({@code format}) are exported only to the two modules that
 * write or frame traces, the capture layer (carrier-hooks) and the JFR bridge; the commands'
 * shared hints and the demos' workload ({@code cli}) only to the capture layer's commands and the
 * JFR bridge's live demo. {@code judge} (where Go is found) is
 * exported to nobody. On the class path, and on the boot class path where the agent puts these
 * classes, this declaration does not apply (docs/API.md, "On the module path").
 */
module dev.loomtracer {
    // HdrHistogram 2.2.2 declares no module name; its automatic one comes from its jar's name.
    requires HdrHistogram;
    requires java.management; // cli.Demo relaunches itself with this JVM's arguments
    requires jdk.httpserver; // debug.DebugHttpServer

    exports dev.loomtracer;
    exports dev.loomtracer.analysis;
    exports dev.loomtracer.debug;
    exports dev.loomtracer.parse;
    exports dev.loomtracer.report;
    exports dev.loomtracer.trigger;

    exports dev.loomtracer.engine to dev.loomtracer.hooks, dev.loomtracer.jfr;
    exports dev.loomtracer.format to dev.loomtracer.hooks, dev.loomtracer.jfr;
    exports dev.loomtracer.cli to dev.loomtracer.hooks, dev.loomtracer.jfr;
}

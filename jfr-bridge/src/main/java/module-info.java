/**
 * Loom Tracer's JFR bridge: a trace into a {@code .jfr} file ({@code convert}), the tracer's events
 * as live JFR events ({@code live}), and JFR's CPU samples and GC merged into a trace
 * ({@code imports}); docs/JFR.md.
 *
 * <p>Invariant: a program on the module path reaches the three packages docs/JFR.md documents as
 * entry points ({@code JfrConverter}; {@code AutoBridge}, {@code JfrBridge}, {@code TeeStream};
 * {@code JfrImport}, {@code JfrMerger}) and nothing else: the framing ({@code raw}), the episode
 * model, the JFR event classes (JFR reaches them itself: it exports and opens an event class's
 * package to {@code jdk.jfr} when it registers it, {@code SecuritySupport.makeVisibleToJFR} in the
 * JDK's jdk.jfr), the commands (the launcher runs them from the class
 * path) and the JMC rules (JMC finds them through {@code ServiceLoader}) stay inside. On the class
 * path, and in {@code dist/loomtrace.jar}, this declaration does not apply (docs/API.md).
 */
module dev.loomtracer.jfr {
    // Its API takes and returns the tracer's types (TraceOptions, TraceResult) and JFR's (Configuration).
    requires transitive dev.loomtracer;
    requires transitive jdk.jfr;

    // JMC 9.1.2's jars are automatic modules (Automatic-Module-Name in their manifests): the writer
    // (convert), the parser and the rules API (jmc: to-jfr's analysis), their common types, and the
    // JDK's rules, which JMC's RuleRegistry finds through ServiceLoader and to-jfr --analyze runs.
    requires org.openjdk.jmc.common;
    requires org.openjdk.jmc.flightrecorder;
    requires org.openjdk.jmc.flightrecorder.rules;
    requires org.openjdk.jmc.flightrecorder.rules.jdk;
    requires org.openjdk.jmc.flightrecorder.writer;
    // to-jfr --analyze quiets a JMC reader's java.util.logging warning. (JMC's own use of java.logging
    // needs nothing: java.base's service binding resolves it, and automatic modules read it.)
    requires java.logging;

    exports dev.loomtracer.jfr.convert;
    exports dev.loomtracer.jfr.imports;
    exports dev.loomtracer.jfr.live;

    // JMC's automated analysis loads its rules with ServiceLoader.load(IRule.class, ...): in a named
    // module only this declaration counts (META-INF/services is read on the class path).
    provides org.openjdk.jmc.flightrecorder.rules.IRule with
            dev.loomtracer.jfr.jmc.LongestParkRule, dev.loomtracer.jfr.jmc.LongestPinnedRule;
}

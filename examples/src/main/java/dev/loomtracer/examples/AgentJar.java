package dev.loomtracer.examples;

import java.nio.file.Path;
import java.util.List;

/** The JVM options to run a server under the Loom Tracer agent (the jar is found by {@code AgentJarLookup}). */
final class AgentJar {
    private AgentJar() {}

    /**
     * {@code -javaagent:JAR}, and nothing else. Not {@code -XX:-DoJVMTIVirtualThreadTransitions},
     * which the agent suggests to save the JVMTI transition cost: on JDK 25 it wedges virtual
     * threads contending for a monitor whose owner blocks while holding it (16 virtual threads
     * doing {@code synchronized (lock) { Thread.sleep(100 us) }} never finish with it, and finish in
     * well under a second without it); this server wedged the same way, both carriers held by
     * threads waiting to enter a monitor, until it was killed.
     */
    static List<String> jvmOptions(Path jar) {
        return List.of("-javaagent:" + jar.toAbsolutePath());
    }
}

package dev.loomtracer.examples;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Where the Loom Tracer agent jar is, and the JVM options to run a server under it. */
final class AgentJar {
    private AgentJar() {}

    /** The system property naming the agent jar (the examples' build sets it for the tests). */
    static final String PROPERTY = "loomtrace.agentJar";

    /**
     * The agent jar: {@value #PROPERTY} if set, else {@code carrier-hooks/target/carrier-hooks-*-agent.jar}
     * in the working directory or one of its parents.
     *
     * @throws IllegalStateException if there is none
     */
    static Path find() {
        String p = System.getProperty(PROPERTY);
        if (p != null && !p.isBlank() && !p.startsWith("${") && !p.startsWith("@{")) {
            Path jar = Path.of(p);
            if (Files.isRegularFile(jar)) {
                return jar.toAbsolutePath();
            }
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path target = d.resolve("carrier-hooks").resolve("target");
            if (Files.isDirectory(target)) {
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(target, "carrier-hooks-*-agent.jar")) {
                    for (Path jar : ds) {
                        return jar.toAbsolutePath();
                    }
                } catch (IOException e) {
                    // look further up
                }
            }
        }
        throw new IllegalStateException("no Loom Tracer agent jar: set -D" + PROPERTY
                + " or build it (mvn -pl carrier-hooks -am package makes carrier-hooks/target/carrier-hooks-*-agent.jar)");
    }

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

package dev.loomtracer.hooks.agent;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Where the Loom Tracer agent jar is, for a tool that starts or attaches to a JVM under it (run,
 * attach, the demo, the example server and its harness, the capture benchmark). This is the one
 * home of that lookup; in order:
 * <ol>
 * <li>the system property {@value #PROPERTY} (the examples' build sets it for their tests);
 * <li>{@code $LOOMTRACE_AGENT};
 * <li>the jar this class came from, if it is an agent jar (dist/loomtrace.jar);
 * <li>next to this module's classes: the shaded {@code carrier-hooks-*-agent.jar} the build
 *     attached in carrier-hooks/target (or beside the carrier-hooks jar in a Maven repository),
 *     the newest if several, with a note on stderr if it is older than the classes.
 * </ol>
 * (The running agent's own jar is another question, answered by {@code Agent}.)
 */
public final class AgentJarLookup {
    private AgentJarLookup() {}

    /** The system property naming the agent jar. */
    public static final String PROPERTY = "loomtrace.agentJar";

    /**
     * The agent jar.
     *
     * @throws IllegalStateException saying how to build one or name one, if there is none
     */
    public static Path find() {
        String property = System.getProperty(PROPERTY);
        if (property != null && !property.isBlank() && !property.startsWith("${") && !property.startsWith("@{")
                && Files.isRegularFile(Path.of(property))) {
            return Path.of(property).toAbsolutePath();
        }
        String env = System.getenv("LOOMTRACE_AGENT");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        Path here;
        try {
            here = Path.of(AgentJarLookup.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("cannot locate the carrier-hooks classes; set LOOMTRACE_AGENT to the agent jar");
        }
        if (Files.isRegularFile(here) && isAgentJar(here)) {
            return here; // dist/loomtrace.jar: the tool's own jar is the agent
        }
        Path dir = here.getParent(); // target/ (beside classes/), or the Maven repository's directory
        try (Stream<Path> s = Files.list(dir)) {
            Optional<Path> jar = s.filter(p -> p.getFileName().toString().startsWith("carrier-hooks-")
                            && p.getFileName().toString().endsWith("-agent.jar"))
                    .max(Comparator.comparingLong(p -> p.toFile().lastModified()));
            if (jar.isPresent()) {
                warnIfStale(jar.get(), here);
                return jar.get().toAbsolutePath();
            }
        } catch (IOException e) {
            // fall through
        }
        throw new IllegalStateException("no agent jar (carrier-hooks-*-agent.jar) in " + dir
                + ": build it with ./loomtrace build (or mvn -pl carrier-hooks -am install), or set LOOMTRACE_AGENT");
    }

    /** True if {@code jar}'s manifest names the agent's class (as the agent jars and dist/loomtrace.jar do). */
    private static boolean isAgentJar(Path jar) {
        try (JarFile j = new JarFile(jar.toFile())) {
            Manifest mf = j.getManifest();
            return mf != null && Agent.class.getName().equals(mf.getMainAttributes().getValue("Agent-Class"));
        } catch (IOException e) {
            return false;
        }
    }

    private static void warnIfStale(Path jar, Path classes) {
        if (!Files.isDirectory(classes)) {
            return;
        }
        long jarTime = jar.toFile().lastModified();
        try (Stream<Path> s = Files.walk(classes)) {
            if (s.anyMatch(p -> p.toFile().lastModified() > jarTime + 1000)) {
                System.err.println("loomtrace: note: " + jar.getFileName() + " is older than " + classes
                        + "; rebuild with ./loomtrace build to trace with the current code");
            }
        } catch (IOException e) {
            // no warning
        }
    }
}

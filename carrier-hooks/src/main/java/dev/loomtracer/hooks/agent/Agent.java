package dev.loomtracer.hooks.agent;

import java.io.File;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The agent's entry point, loaded by the system class loader from the agent jar. It puts the
 * same jar on the boot class path and hands over to {@link AgentMain}, loaded from there: the
 * instrumented {@code java.lang.VirtualThread} can only call classes the boot loader sees, and
 * the application's own calls to the tracer API then resolve (parent first) to the same classes,
 * so there is one {@code Tracer.GLOBAL}.
 *
 * <p>Invariant: this class touches no other class of the project before the jar is on the boot
 * class path, so none of them is ever loaded twice.
 */
public final class Agent {
    private Agent() {}

    private static final String MAIN = "dev.loomtracer.hooks.agent.AgentMain";

    public static void premain(String args, Instrumentation inst) {
        start(args, inst);
    }

    public static void agentmain(String args, Instrumentation inst) {
        start(args, inst);
    }

    /**
     * Never throws: an exception out of premain makes the JVM abort before the program runs
     * ("processing of -javaagent failed"), and out of agentmain fails the attach. Whatever goes
     * wrong is one line on stderr and the program runs untraced.
     */
    private static void start(String args, Instrumentation inst) {
        try {
            if (!onBootClassPath()) {
                // At run time: the JVM then turns off class data sharing for the application's classes
                // and warns. -Xbootclasspath/a:<agent jar> on the command line (./loomtrace run adds it)
                // avoids both.
                inst.appendToBootstrapClassLoaderSearch(new JarFile(agentJar()));
            }
            Class<?> main = Class.forName(MAIN, true, null);
            main.getMethod("start", String.class, Instrumentation.class).invoke(null, args, inst);
        } catch (InvocationTargetException e) {
            fail(e.getCause());
        } catch (Throwable t) {
            fail(t);
        }
    }

    private static void fail(Throwable t) {
        try {
            System.err.println("Loom Tracer agent: not loaded (" + t + "); the program runs untraced");
        } catch (Throwable ignored) {
            // nothing left to tell it with
        }
    }

    private static boolean onBootClassPath() {
        try {
            Class.forName(MAIN, false, null);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /**
     * The agent jar: where this class came from, unless the program's class path has this
     * module's classes too (then this class came from there): then the -javaagent argument (or a
     * class-path entry) naming a jar whose manifest names this class.
     */
    private static File agentJar() throws IOException {
        try {
            File f = new File(Agent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (f.isFile()) {
                return f;
            }
        } catch (URISyntaxException | NullPointerException | IllegalArgumentException e) {
            // search below
        }
        List<String> candidates = new ArrayList<>();
        ProcessHandle.current().info().arguments().ifPresent(args -> candidates.addAll(agentPaths(List.of(args))));
        if (candidates.isEmpty()) {
            candidates.addAll(agentPaths(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()));
        }
        candidates.addAll(List.of(System.getProperty("java.class.path", "").split(File.pathSeparator)));
        for (String c : candidates) {
            File f = new File(c);
            if (f.isFile() && c.endsWith(".jar")) {
                try (JarFile j = new JarFile(f)) {
                    Manifest mf = j.getManifest();
                    if (mf != null && Agent.class.getName().equals(mf.getMainAttributes().getValue("Premain-Class"))) {
                        return f;
                    }
                }
            }
        }
        throw new IllegalStateException("Loom Tracer agent: cannot find its jar (load it with -javaagent:<carrier-hooks agent jar>)");
    }

    private static List<String> agentPaths(List<String> jvmArgs) {
        List<String> out = new ArrayList<>();
        for (String a : jvmArgs) {
            if (a.startsWith("-javaagent:")) {
                String p = a.substring("-javaagent:".length());
                int eq = p.indexOf('=');
                out.add(eq < 0 ? p : p.substring(0, eq));
            }
        }
        return out;
    }
}

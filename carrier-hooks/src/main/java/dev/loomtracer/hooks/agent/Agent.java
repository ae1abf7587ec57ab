package dev.loomtracer.hooks.agent;

import java.io.File;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.net.URISyntaxException;
import java.util.jar.JarFile;

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

    public static void premain(String args, Instrumentation inst) throws Exception {
        start(args, inst);
    }

    public static void agentmain(String args, Instrumentation inst) throws Exception {
        start(args, inst);
    }

    private static void start(String args, Instrumentation inst) throws Exception {
        File jar;
        try {
            jar = new File(Agent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("Loom Tracer agent: cannot locate its own jar", e);
        }
        if (!jar.isFile()) {
            throw new IllegalStateException("Loom Tracer agent: must be loaded from its jar, not from " + jar);
        }
        inst.appendToBootstrapClassLoaderSearch(new JarFile(jar));
        Class<?> main = Class.forName("dev.loomtracer.hooks.agent.AgentMain", true, null);
        try {
            main.getMethod("start", String.class, Instrumentation.class).invoke(null, args, inst);
        } catch (InvocationTargetException e) {
            Throwable c = e.getCause();
            if (c instanceof Exception ex) {
                throw ex;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }
}

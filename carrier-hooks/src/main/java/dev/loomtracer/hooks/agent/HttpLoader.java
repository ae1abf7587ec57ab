package dev.loomtracer.hooks.agent;

import java.io.IOException;
import java.io.InputStream;

/**
 * Loads {@code dev.loomtracer.debug.DebugHttpServer} for the agent. The agent's classes live on
 * the boot class path, and the boot loader does not see the JDK's HTTP server (module
 * {@code jdk.httpserver} belongs to the platform class loader): this loader, a child of the
 * platform loader, defines the server class itself from the agent jar, so that it links against
 * {@code com.sun.net.httpserver}, and delegates everything else, so that the endpoints, the
 * engine and {@code LoomTrace} it calls are the boot class path's, the ones the hooks write to.
 *
 * <p>Invariant: only the server class and its nested classes are defined here; they use only
 * public members of the rest of their package (a class of another loader is another runtime
 * package).
 */
final class HttpLoader extends ClassLoader {
    static final String SERVER = "dev.loomtracer.debug.DebugHttpServer";

    static {
        registerAsParallelCapable();
    }

    HttpLoader() {
        super("loomtrace-http", ClassLoader.getPlatformClassLoader());
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!name.equals(SERVER) && !name.startsWith(SERVER + "$")) {
            return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                byte[] b = bytes(name);
                c = defineClass(name, b, 0, b.length);
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }

    /** The class file, from the agent jar: on the system class path (the JVM puts an agent's jar there) or the boot one. */
    private static byte[] bytes(String name) throws ClassNotFoundException {
        String res = name.replace('.', '/') + ".class";
        try (InputStream in = open(res)) {
            if (in == null) {
                throw new ClassNotFoundException(name + " (not found in the agent jar)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
        }
    }

    private static InputStream open(String res) {
        InputStream in = ClassLoader.getSystemResourceAsStream(res);
        return in != null ? in : Object.class.getResourceAsStream("/" + res);
    }
}

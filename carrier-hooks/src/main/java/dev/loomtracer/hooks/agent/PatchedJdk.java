package dev.loomtracer.hooks.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Capture without an agent: the same instrumentation, applied ahead of time to the JDK's own
 * class files and put in front of java.base with {@code --patch-module}. No JVMTI environment
 * exists, so the JVM does not track virtual-thread transitions for JVMTI (the ~90 ns per mount
 * and unmount any agent costs, tracing or not), and no experimental option is needed.
 *
 * <p>Costs: class data sharing is off for a patched java.base (a slower start), the patch is
 * built from the very JDK that runs it (here, at launch), and a program that patches java.base
 * itself cannot also be patched this way.
 *
 * <p>Invariant: the patch holds exactly the classes the agent would retransform, transformed by
 * the same {@link JdkTransformer}; a class it cannot instrument fails the build of the patch
 * with the transformer's reason, rather than running the program half-instrumented.
 */
public final class PatchedJdk {
    private PatchedJdk() {}

    /** The system property that carries the agent's options (output=FILE,...) in a patched JVM. */
    public static final String OPTIONS_PROPERTY = "loomtrace.capture";

    /**
     * Writes the instrumented classes of the JDK at {@code javaHome} into {@code dir}, laid out
     * for {@code --patch-module java.base=dir}. Returns {@code dir}.
     */
    public static Path build(Path javaHome, Path dir) {
        try (FileSystem jrt = FileSystems.newFileSystem(URI.create("jrt:/"),
                java.util.Map.of("java.home", javaHome.toString()))) {
            for (String name : JdkTransformer.TARGETS) {
                Path cls = jrt.getPath("modules", "java.base", name + ".class");
                if (!Files.exists(cls)) {
                    if (name.equals(JdkTransformer.VIRTUAL_THREAD)) {
                        throw new IllegalStateException("the JDK at " + javaHome + " has no java.lang.VirtualThread");
                    }
                    continue;
                }
                byte[] out;
                try {
                    out = JdkTransformer.instrument(name, Files.readAllBytes(cls));
                } catch (IllegalStateException e) {
                    if (name.equals(JdkTransformer.VIRTUAL_THREAD)) {
                        throw e;
                    }
                    continue; // an optional refinement (pollers, idle carriers, pinned reasons)
                }
                Path target = dir.resolve(name + ".class");
                Files.createDirectories(target.getParent());
                Files.write(target, out);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the patched java.base in " + dir, e);
        }
    }

    /**
     * The JVM options of a patched run: the patch, the module options the hooks need, the hooks
     * and the engine on the boot class path, and the capture options ({@code output=FILE,...}).
     */
    public static List<String> jvmOptions(Path patchDir, Path hooksJar, String captureOptions) {
        List<String> o = new ArrayList<>();
        o.add("--patch-module");
        o.add("java.base=" + patchDir.toAbsolutePath());
        o.add("--add-reads");
        o.add("java.base=ALL-UNNAMED");
        for (String pkg : new String[] {"jdk.internal.misc", "jdk.internal.vm", "jdk.internal.access"}) {
            o.add("--add-exports");
            o.add("java.base/" + pkg + "=ALL-UNNAMED");
        }
        for (String pkg : new String[] {"java.lang", "jdk.internal.vm"}) {
            o.add("--add-opens");
            o.add("java.base/" + pkg + "=ALL-UNNAMED");
        }
        o.add("-Xbootclasspath/a:" + hooksJar.toAbsolutePath());
        o.add("-D" + OPTIONS_PROPERTY + "=" + (captureOptions == null ? "" : captureOptions));
        return o;
    }
}

package dev.loomtracer.testing;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The start of a command that runs a child JVM on this test JVM's classes: this JDK's java, the
 * JDK-internal flags the engine needs, the caller's options, and {@code -cp} with one class path
 * that holds this JVM's class path and its module path. The caller appends the main class.
 *
 * <p>Invariant: the child runs on the class path however surefire ran this JVM. On the module path
 * (loom-tracer's own tests, which surefire patches into the module dev.loomtracer) the module and
 * what it requires are on {@code jdk.module.path} and the test classes on {@code java.class.path}:
 * both go on the child's class path, where the root pom's {@code =ALL-UNNAMED} flags apply; the
 * flags naming a module (surefire's, the module's own) are left out, they would only warn there.
 */
public final class ChildJava {
    private ChildJava() {}

    public static List<String> command(String... options) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            boolean moduleFlag = a.startsWith("--add-exports") || a.startsWith("--add-opens")
                    || a.startsWith("--enable-native-access");
            if (moduleFlag && a.endsWith("=ALL-UNNAMED")) {
                cmd.add(a);
            }
        }
        cmd.addAll(List.of(options));
        cmd.add("-cp");
        cmd.add(classPath());
        return cmd;
    }

    /** This JVM's class path, then its module path if it has one. */
    public static String classPath() {
        String cp = System.getProperty("java.class.path");
        String mp = System.getProperty("jdk.module.path");
        return mp == null || mp.isEmpty() ? cp : cp + File.pathSeparator + mp;
    }
}

package dev.loomtracer.engine;

/**
 * Checks that the JVM gives the tracer the JDK internals it is built on, so that a missing
 * option is a clear message at start and never an {@code IllegalAccessError} inside a hook.
 *
 * <p>Invariant: {@link #check()} passes only if {@code jdk.internal.misc},
 * {@code jdk.internal.vm} and {@code jdk.internal.access} are exported to the tracer's module.
 */
final class JdkAccess {
    private JdkAccess() {}

    static final String OPTIONS = "--add-exports java.base/jdk.internal.misc=ALL-UNNAMED "
            + "--add-exports java.base/jdk.internal.vm=ALL-UNNAMED "
            + "--add-exports java.base/jdk.internal.access=ALL-UNNAMED";

    static void check() {
        Module base = Object.class.getModule();
        Module me = JdkAccess.class.getModule();
        for (String pkg : new String[] {"jdk.internal.misc", "jdk.internal.vm", "jdk.internal.access"}) {
            if (!base.isExported(pkg, me)) {
                throw new IllegalStateException("Loom Tracer needs access to " + pkg
                        + ": start the JVM with " + OPTIONS + " (or use the Loom Tracer agent, which adds them)");
            }
        }
        if (Runtime.version().feature() < 25) {
            throw new IllegalStateException("Loom Tracer needs JDK 25 or newer; this JVM is " + Runtime.version());
        }
    }
}

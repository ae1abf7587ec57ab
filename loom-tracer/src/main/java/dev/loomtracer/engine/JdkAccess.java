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

    private static final String[] PACKAGES = {"jdk.internal.misc", "jdk.internal.vm", "jdk.internal.access"};

    /**
     * The options that give the tracer's module the packages: to {@code ALL-UNNAMED} on the class
     * path, to {@code dev.loomtracer} on the module path (docs/API.md).
     */
    static String options(Module me) {
        String target = me.isNamed() ? me.getName() : "ALL-UNNAMED";
        StringBuilder sb = new StringBuilder();
        for (String pkg : PACKAGES) {
            sb.append(sb.isEmpty() ? "" : " ").append("--add-exports java.base/").append(pkg).append('=').append(target);
        }
        return sb.toString();
    }

    static void check() {
        Module base = Object.class.getModule();
        Module me = JdkAccess.class.getModule();
        for (String pkg : PACKAGES) {
            if (!base.isExported(pkg, me)) {
                throw new IllegalStateException("Loom Tracer needs access to " + pkg
                        + ": start the JVM with " + options(me) + " (or use the Loom Tracer agent, which adds them)");
            }
        }
        if (Runtime.version().feature() < 25) {
            throw new IllegalStateException("Loom Tracer needs JDK 25 or newer; this JVM is " + Runtime.version());
        }
    }
}

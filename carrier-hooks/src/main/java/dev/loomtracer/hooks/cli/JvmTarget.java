package dev.loomtracer.hooks.cli;

import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * A running JVM that {@code loomtrace attach} and {@code loomtrace list} talk to through the JDK's
 * Attach API ({@code jdk.attach}), and the clear error for each target it cannot use.
 *
 * <p>Invariant: nothing is sent to a process before it is known to exist, to run as this user
 * (or this user is root) and, where {@code /proc} says, to be a JVM: the Attach API signals its
 * target (SIGQUIT), which kills a process that is not a JVM. Every refusal is a {@link Refused}
 * whose message names the process and what to do.
 */
final class JvmTarget {
    private JvmTarget() {}

    /** The first JDK feature release Loom Tracer's agent knows. */
    static final int MIN_FEATURE = 25;

    /** A target that cannot be used; the message says why and what to do. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /** Checks that {@code pid} may be attached to, without sending it anything. */
    static void check(long pid) throws Refused {
        Optional<ProcessHandle> ph = ProcessHandle.of(pid);
        if (ph.isEmpty() || !ph.get().isAlive()) {
            throw new Refused("no process with pid " + pid);
        }
        if (pid == ProcessHandle.current().pid()) {
            throw new Refused("process " + pid + " is this tool itself");
        }
        String cmd = ph.get().info().command().orElse("?");
        Path proc = Path.of("/proc", Long.toString(pid));
        Integer targetUid = uid(proc);
        Integer myUid = uid(Path.of("/proc/self"));
        if (targetUid != null && myUid != null && myUid != 0 && !targetUid.equals(myUid)) {
            String owner = ph.get().info().user().orElse("uid " + targetUid);
            throw new Refused("process " + pid + " (" + cmd + ") runs as user " + owner + ", this tool as "
                    + System.getProperty("user.name") + ": the JDK's Attach API only reaches a JVM of the same user. "
                    + "Run loomtrace as " + owner + " (e.g. sudo -u " + owner + " java -jar loomtrace.jar attach " + pid + " ...)");
        }
        Path maps = proc.resolve("maps");
        if (Files.isReadable(maps)) {
            boolean jvm;
            try {
                jvm = Files.readString(maps).contains("/libjvm.");
            } catch (IOException e) {
                jvm = true; // cannot tell: let the Attach API answer
            }
            if (!jvm) {
                throw new Refused("process " + pid + " (" + cmd + ") is not a Java VM (no libjvm in it); "
                        + "loomtrace list shows the JVMs this user can attach to");
            }
        }
    }

    /**
     * Attaches to {@code pid} after {@link #check}, and refuses a JVM older than
     * {@value #MIN_FEATURE}. The caller detaches.
     */
    static VirtualMachine attach(long pid) throws Refused {
        check(pid);
        VirtualMachine vm;
        try {
            vm = VirtualMachine.attach(Long.toString(pid));
        } catch (AttachNotSupportedException | IOException e) {
            throw new Refused("cannot attach to process " + pid + ": " + e.getMessage()
                    + " (a JVM started with -XX:+DisableAttachMechanism, or still starting, refuses attaches)");
        }
        try {
            Properties p = vm.getSystemProperties();
            int feature = feature(p.getProperty("java.specification.version"));
            if (feature < MIN_FEATURE) {
                throw new Refused("process " + pid + " runs Java " + p.getProperty("java.version", "?") + " ("
                        + p.getProperty("java.home", "?") + "); Loom Tracer needs a JDK " + MIN_FEATURE
                        + " or newer JVM (its virtual-thread hooks are JDK 25's)");
            }
            return vm;
        } catch (IOException e) {
            detach(vm);
            throw new Refused("process " + pid + " did not answer through the Attach API: " + e.getMessage());
        } catch (Refused e) {
            detach(vm);
            throw e;
        }
    }

    /** The feature release of a {@code java.specification.version} (1.8 is 8), or -1. */
    static int feature(String spec) {
        if (spec == null) {
            return -1;
        }
        String s = spec.startsWith("1.") ? spec.substring(2) : spec;
        int dot = s.indexOf('.');
        try {
            return Integer.parseInt(dot < 0 ? s : s.substring(0, dot));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static void detach(VirtualMachine vm) {
        try {
            vm.detach();
        } catch (IOException e) {
            // gone already
        }
    }

    private static Integer uid(Path proc) {
        try {
            return (Integer) Files.getAttribute(proc, "unix:uid");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
            return null;
        }
    }
}

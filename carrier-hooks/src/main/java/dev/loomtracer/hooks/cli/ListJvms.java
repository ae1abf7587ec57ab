package dev.loomtracer.hooks.cli;

import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import dev.loomtracer.debug.TraceControl;
import dev.loomtracer.hooks.agent.AttachProtocol;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Properties;

/**
 * {@code loomtrace list}: the JVMs this user can attach to, with their main class, Java version,
 * and whether the Loom Tracer agent is loaded in each and what it is doing (read from the system
 * properties the agent and {@link TraceControl} publish; nothing is loaded into any JVM).
 *
 * <p>Invariant: a JVM that cannot be asked is still listed, with the reason in place of its
 * version.
 */
public final class ListJvms {
    private ListJvms() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 0) {
            if (args[0].equals("-h") || args[0].equals("--help")) {
                out.println("usage: loomtrace list    (the local JVMs; then: loomtrace attach PID --seconds N -o FILE)");
                return 0;
            }
            err.println("loomtrace list: takes no arguments, got " + String.join(" ", args));
            return 2;
        }
        if (System.getProperty("sun.tools.attach.attachTimeout") == null) {
            System.setProperty("sun.tools.attach.attachTimeout", "5000"); // a hung JVM does not hold the list for long
        }
        long self = ProcessHandle.current().pid();
        List<VirtualMachineDescriptor> vms = VirtualMachine.list();
        out.printf("%-8s %-10s %-44s %s%n", "PID", "JAVA", "LOOM TRACER", "MAIN");
        for (VirtualMachineDescriptor d : vms) {
            long pid;
            try {
                pid = Long.parseLong(d.id());
            } catch (NumberFormatException e) {
                continue;
            }
            if (pid == self) {
                continue;
            }
            String version;
            String tracer;
            try {
                VirtualMachine vm = VirtualMachine.attach(d);
                try {
                    Properties p = vm.getSystemProperties();
                    version = p.getProperty("java.version", "?");
                    String agent = p.getProperty(AttachProtocol.AGENT_PROPERTY);
                    if (JvmTarget.feature(p.getProperty("java.specification.version")) < JvmTarget.MIN_FEATURE) {
                        tracer = "- (needs JDK " + JvmTarget.MIN_FEATURE + ")";
                    } else if (agent == null) {
                        tracer = "not loaded (attach loads it)";
                    } else {
                        tracer = "loaded; " + p.getProperty(TraceControl.STATE_PROPERTY, "idle");
                    }
                } finally {
                    JvmTarget.detach(vm);
                }
            } catch (IOException | com.sun.tools.attach.AttachNotSupportedException | RuntimeException e) {
                version = "?";
                tracer = "cannot attach: " + e.getMessage();
            }
            String main = d.displayName().isBlank() ? "?" : d.displayName();
            if (main.length() > 80) {
                main = main.substring(0, 77) + "...";
            }
            out.printf("%-8d %-10s %-44s %s%n", pid, version, tracer, main);
        }
        return 0;
    }
}

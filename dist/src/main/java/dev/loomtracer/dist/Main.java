package dev.loomtracer.dist;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code java -jar loomtrace.jar COMMAND [args...]}: runs a subcommand, as {@code ./loomtrace}
 * does in a checkout, on a machine with nothing but a JDK 25.
 *
 * <p>Invariant: the commands are the launcher script's own table ({@code JAVA_COMMANDS} in
 * {@code ./loomtrace}, packed into the jar as a resource), so a command added there is a command
 * of the jar, with the same name, main class and description; one whose main class is not in the
 * jar (the examples, the stress run) says so.
 */
public final class Main {
    private Main() {}

    /** One row of the table: name, main class, description. */
    record Command(String name, String mainClass, String description) {}

    private static final Pattern ROW = Pattern.compile("^\\s*\"([^|\"]+)\\|([^|\"]+)\\|([^\"]*)\"\\s*$");

    public static void main(String[] args) throws Throwable {
        List<Command> commands = commands();
        if (args.length == 0 || args[0].equals("help") || args[0].equals("-h") || args[0].equals("--help")) {
            usage(commands, System.out);
            return;
        }
        for (Command c : commands) {
            if (c.name().equals(args[0])) {
                Class<?> main;
                try {
                    main = Class.forName(c.mainClass());
                } catch (ClassNotFoundException e) {
                    System.err.println("loomtrace: '" + c.name() + "' is not in this jar (its main class " + c.mainClass()
                            + " is in a module the jar leaves out); run it from a checkout with ./loomtrace " + c.name());
                    System.exit(1);
                    return;
                }
                Method m = main.getMethod("main", String[].class);
                try {
                    m.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
                return;
            }
        }
        System.err.println("loomtrace: unknown command: " + args[0]);
        usage(commands, System.err);
        System.exit(2);
    }

    static void usage(List<Command> commands, PrintStream out) {
        out.println("usage: java -jar loomtrace.jar <command> [args...]");
        out.println("       java -javaagent:loomtrace.jar[=options] ...   (the agent; see docs/CAPTURE.md)");
        out.println();
        out.println("commands:");
        for (Command c : commands) {
            if (present(c.mainClass())) {
                out.printf("  %-16s %s%n", c.name(), c.description());
            }
        }
    }

    /** The launcher script's JAVA_COMMANDS rows. */
    static List<Command> commands() throws IOException {
        List<Command> out = new ArrayList<>();
        try (InputStream in = Main.class.getResourceAsStream("loomtrace")) {
            if (in == null) {
                throw new IllegalStateException("the command table (resource dev/loomtracer/dist/loomtrace) is missing from the jar");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            boolean inTable = false;
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("JAVA_COMMANDS=(")) {
                    inTable = true;
                } else if (inTable && line.strip().equals(")")) {
                    break;
                } else if (inTable) {
                    Matcher m = ROW.matcher(line);
                    if (m.matches()) {
                        out.add(new Command(m.group(1), m.group(2), m.group(3)));
                    }
                }
            }
        }
        return out;
    }

    private static boolean present(String className) {
        return Main.class.getClassLoader().getResource(className.replace('.', '/') + ".class") != null;
    }
}

package dev.loomtracer.hooks.agent;

import java.util.Locale;

/**
 * The agent's messages: one line each on stderr, prefixed {@code Loom Tracer agent:}. A problem
 * (a bad option, a trace that cannot start) is also logged at WARNING through
 * {@link System.Logger} (logger {@code dev.loomtracer.agent}) when the application has a logging
 * backend of its own or a {@code java.util.logging} configuration; with the JDK's unconfigured
 * default, that backend would only print the same message again on the same stderr.
 *
 * <p>Invariant: nothing here throws; the host program goes on whatever a message costs.
 */
final class AgentLog {
    private AgentLog() {}

    static final String PREFIX = "Loom Tracer agent: ";
    static final String LOGGER = "dev.loomtracer.agent";

    /** Something the user should fix: always printed, {@code quiet} or not. */
    static void problem(String msg) {
        try {
            System.err.println(PREFIX + msg);
        } catch (Throwable t) {
            // stderr closed: the logger below may still reach someone
        }
        try {
            if (applicationLogging()) {
                System.getLogger(LOGGER).log(System.Logger.Level.WARNING, PREFIX + msg);
            }
        } catch (Throwable t) {
            // a broken logging backend must not stop the program
        }
    }

    /** What the agent does, unless {@code quiet}. */
    static void info(boolean quiet, String msg) {
        if (!quiet) {
            try {
                System.err.println(PREFIX + msg);
            } catch (Throwable t) {
                // nothing to do
            }
        }
    }

    /** True unless System.Logger goes to the JDK's own java.util.logging backend with no configuration. */
    private static boolean applicationLogging() {
        if (System.getProperty("java.util.logging.config.file") != null
                || System.getProperty("java.util.logging.config.class") != null) {
            return true;
        }
        String finder = System.LoggerFinder.getLoggerFinder().getClass().getName().toLowerCase(Locale.ROOT);
        return !(finder.startsWith("sun.util.logging.") || finder.startsWith("jdk.internal.logger."));
    }
}

package dev.loomtracer.debug;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The debug endpoints' settings and their access rule, for every server that serves them.
 *
 * <p>Invariants: a token is never taken from a command line (it would show in {@code ps}), only
 * from a file or the environment ({@value #TOKEN_ENV}); endpoints listening beyond loopback have
 * a token ({@link #checkAccess} refuses otherwise); a token has at least 16 characters.
 *
 * @param maxTraceSeconds the cap on {@code /debug/trace?seconds=N}
 * @param flightWindow    the flight recorder's default window ({@code POST /debug/flight/start})
 * @param flightMaxBytes  ... and its default size bound
 * @param token           if non-null, every request needs {@code Authorization: Bearer <token>}
 */
public record DebugConfig(double maxTraceSeconds, Duration flightWindow, long flightMaxBytes, String token) {
    /** The environment variable that may hold the token. */
    public static final String TOKEN_ENV = "LOOMTRACE_DEBUG_TOKEN";
    public static final double DEFAULT_MAX_TRACE_SECONDS = 60;

    public static DebugConfig defaults() {
        return new DebugConfig(DEFAULT_MAX_TRACE_SECONDS, Duration.ofSeconds(10), 32L << 20, null);
    }

    public DebugConfig withToken(String t) {
        return new DebugConfig(maxTraceSeconds, flightWindow, flightMaxBytes, t);
    }

    /** The first line of a token file, stripped. */
    public static String readToken(Path file) {
        try {
            String t = Files.readString(file, StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
            if (t.isEmpty()) {
                throw new IllegalArgumentException("the debug token file " + file + " is empty");
            }
            return t;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the debug token file " + file + ": " + e.getMessage());
        }
    }

    /** The token from the environment ({@value #TOKEN_ENV}), or null. */
    public static String tokenFromEnvironment(java.util.Map<String, String> env) {
        String t = env.get(TOKEN_ENV);
        return t == null || t.isBlank() ? null : t.strip();
    }

    /**
     * Throws IllegalArgumentException if serving the endpoints on {@code host} with {@code token}
     * is unsafe: beyond loopback without a token, or a token shorter than 16 characters.
     * {@code howToSetToken} completes the message ("pass --debug-token-file F", ...).
     */
    public static void checkAccess(String host, String token, String howToSetToken) {
        if (token == null && !isLoopback(host)) {
            throw new IllegalArgumentException("the debug endpoints on " + host + " (not loopback) need a debug token: "
                    + "they show what every thread does. Set " + TOKEN_ENV + " or " + howToSetToken + ", or listen on 127.0.0.1");
        }
        if (token != null && token.length() < 16) {
            throw new IllegalArgumentException("the debug token must be at least 16 characters");
        }
    }

    /** True if {@code host} names only loopback addresses (127.0.0.1, ::1, localhost). */
    public static boolean isLoopback(String host) {
        try {
            InetAddress[] all = InetAddress.getAllByName(host);
            for (InetAddress a : all) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return all.length > 0;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}

package dev.loomtracer.hooks.agent;

import dev.loomtracer.TraceOptions;

import java.time.Duration;
import java.util.Locale;

/**
 * What {@code loomtrace attach} asks the agent it loads to do: the agent options of such a load
 * ({@code attach=ACTION,reply=PORT,key=KEY[,seconds=N][,stacks=MODE][,flight=SPEC]}). Written by
 * the tool, never by a user; kept apart from {@link AgentOptions}, the user's options.
 *
 * <p>Invariant: a parsed request names a known action, a port and a key; a bad one fails parsing
 * with a message (which the agent cannot send back without the port: it is then dropped, and the
 * tool reports that the agent never connected).
 */
public record AttachRequest(Action action, int port, String key, double seconds, TraceOptions.Stacks stacks,
                            Duration flightAge, long flightBytes) {

    /** The actions. */
    public enum Action {
        TRACE("trace"), STOP("stop"), FLIGHT_START("flight-start"), FLIGHT_SNAPSHOT("flight-snapshot"),
        FLIGHT_STOP("flight-stop"), STATUS("status");

        final String word;

        Action(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }

        static Action of(String w) {
            for (Action a : values()) {
                if (a.word.equals(w)) {
                    return a;
                }
            }
            throw new IllegalArgumentException("unknown attach action '" + w + "'");
        }
    }

    /** True if {@code args} are the options of a load by {@code loomtrace attach}. */
    public static boolean isAttach(String args) {
        return args != null && args.strip().startsWith(AttachProtocol.ACTION_OPTION + "=");
    }

    /** The agent options that carry this request. */
    public String toOptions() {
        StringBuilder b = new StringBuilder(AttachProtocol.ACTION_OPTION).append('=').append(action.word)
                .append(",reply=").append(port).append(",key=").append(key);
        if (seconds > 0) {
            b.append(",seconds=").append(seconds);
        }
        b.append(",stacks=").append(stacks.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        if (flightAge != null) {
            b.append(",flight-ms=").append(flightAge.toMillis());
        }
        if (flightBytes > 0) {
            b.append(",flight-bytes=").append(flightBytes);
        }
        return b.toString();
    }

    public static AttachRequest parse(String args) {
        Action action = null;
        int port = -1;
        String key = null;
        double seconds = 0;
        TraceOptions.Stacks stacks = TraceOptions.Stacks.OFF;
        Duration age = null;
        long bytes = 0;
        for (String part : args.split(",")) {
            int eq = part.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("bad attach option '" + part + "'");
            }
            String k = part.substring(0, eq).strip();
            String v = part.substring(eq + 1).strip();
            switch (k) {
                case AttachProtocol.ACTION_OPTION -> action = Action.of(v);
                case "reply" -> port = Integer.parseInt(v);
                case "key" -> key = v;
                case "seconds" -> seconds = Double.parseDouble(v);
                case "stacks" -> stacks = TraceOptions.Stacks.valueOf(v.toUpperCase(Locale.ROOT).replace('-', '_'));
                case "flight-ms" -> age = Duration.ofMillis(Long.parseLong(v));
                case "flight-bytes" -> bytes = Long.parseLong(v);
                default -> throw new IllegalArgumentException("unknown attach option '" + k + "'");
            }
        }
        if (action == null || port <= 0 || port > 65535 || key == null || key.isEmpty()) {
            throw new IllegalArgumentException("an attach request needs attach=ACTION, reply=PORT and key=KEY");
        }
        return new AttachRequest(action, port, key, seconds, stacks, age, bytes);
    }
}

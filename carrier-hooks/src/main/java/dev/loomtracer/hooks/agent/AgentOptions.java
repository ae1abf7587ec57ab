package dev.loomtracer.hooks.agent;

import dev.loomtracer.TraceOptions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * The agent's options: {@code -javaagent:carrier-hooks-agent.jar[=key=value,...]}.
 *
 * <ul>
 * <li>{@code output=FILE} - trace the whole run into FILE (streamed; or, with {@code flight},
 *     written at exit). Without output, the agent only installs the hooks, and the program
 *     (or a tool) starts and stops traces with the {@code dev.loomtracer.LoomTrace} API;</li>
 * <li>{@code stacks=off|on-block|all} - stacks on events (default off);</li>
 * <li>{@code flight=DURATION}, {@code flight=SIZE} or {@code flight=DURATION/SIZE} - flight-recorder mode: keep at least
 *     the last DURATION of trace (e.g. {@code 30s}, {@code 2m}; a bare number is seconds) in at
 *     most SIZE of memory (e.g. {@code 64MiB}; default 64 MiB), write it to {@code output} at
 *     exit, and on demand through the JMX operation
 *     {@code dev.loomtracer:type=FlightRecorder#dump(String file)};</li>
 * <li>{@code period=DURATION} - generation length (default 1s); {@code buffer=SIZE} - tracer buffer memory;</li>
 * <li>{@code quiet} - no messages on stderr.</li>
 * </ul>
 * Invariant: a parsed value is valid; a bad option fails parsing with a message naming it.
 */
record AgentOptions(Path output, TraceOptions.Stacks stacks, Duration flightAge, long flightBytes, boolean flight,
                    Duration period, long buffer, boolean quiet) {

    static final long DEFAULT_FLIGHT_BYTES = 64L << 20;

    static AgentOptions parse(String args) {
        Path output = null;
        TraceOptions.Stacks stacks = TraceOptions.Stacks.OFF;
        Duration flightAge = null;
        long flightBytes = -1;
        Duration period = null;
        long buffer = -1;
        boolean quiet = false;
        if (args != null && !args.isBlank()) {
            for (String part : args.split(",")) {
                String p = part.strip();
                if (p.isEmpty()) {
                    continue;
                }
                int eq = p.indexOf('=');
                String key = (eq < 0 ? p : p.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
                String value = eq < 0 ? "" : p.substring(eq + 1).strip();
                switch (key) {
                    case "output", "o" -> output = Path.of(require(key, value));
                    case "stacks" -> stacks = switch (require(key, value).toLowerCase(Locale.ROOT)) {
                        case "off", "none" -> TraceOptions.Stacks.OFF;
                        case "on-block", "block", "on_block" -> TraceOptions.Stacks.ON_BLOCK;
                        case "all" -> TraceOptions.Stacks.ALL;
                        default -> throw bad(key, value, "off, on-block or all");
                    };
                    case "flight" -> {
                        for (String v : require(key, value).split("/")) {
                            if (looksLikeSize(v)) {
                                flightBytes = size(key, v);
                            } else {
                                flightAge = duration(key, v);
                            }
                        }
                    }
                    case "flight-size" -> flightBytes = size(key, require(key, value));
                    case "period" -> period = duration(key, require(key, value));
                    case "buffer" -> buffer = size(key, require(key, value));
                    case "quiet" -> quiet = true;
                    default -> throw new IllegalArgumentException("unknown Loom Tracer agent option '" + key
                            + "' (options: output=FILE, stacks=off|on-block|all, flight=DURATION|SIZE, flight-size=SIZE,"
                            + " period=DURATION, buffer=SIZE, quiet)");
                }
            }
        }
        boolean flight = flightAge != null || flightBytes > 0;
        if (flight && output == null) {
            throw new IllegalArgumentException("the flight option needs output=FILE: where the window is written at exit");
        }
        if (flight && flightBytes <= 0) {
            flightBytes = DEFAULT_FLIGHT_BYTES;
        }
        if (flight && flightAge == null) {
            flightAge = Duration.ofDays(365); // bounded by size only
        }
        AgentOptions o = new AgentOptions(output, stacks, flightAge, flightBytes, flight, period, buffer, quiet);
        o.traceOptions(); // validates
        return o;
    }

    TraceOptions traceOptions() {
        TraceOptions t = TraceOptions.defaults().stacks(stacks);
        if (period != null) {
            t = t.generationPeriod(period);
        }
        if (buffer > 0) {
            t = t.bufferMemory(buffer);
        }
        return t;
    }

    private static String require(String key, String value) {
        if (value.isEmpty()) {
            throw new IllegalArgumentException("Loom Tracer agent option '" + key + "' needs a value (" + key + "=...)");
        }
        return value;
    }

    private static IllegalArgumentException bad(String key, String value, String expected) {
        return new IllegalArgumentException("bad value for Loom Tracer agent option " + key + "=" + value + ": expected " + expected);
    }

    /** A size ends in a byte unit (64MiB, 512KB, 1GiB, 1000b); anything else is a duration (30s, 2m). */
    private static boolean looksLikeSize(String v) {
        return v.strip().toLowerCase(Locale.ROOT).endsWith("b");
    }

    static long size(String key, String v) {
        String u = v.strip().toLowerCase(Locale.ROOT);
        long mult = 1;
        String num = u;
        String[][] units = {{"kib", "1024"}, {"mib", "1048576"}, {"gib", "1073741824"}, {"kb", "1024"}, {"mb", "1048576"},
                {"gb", "1073741824"}, {"k", "1024"}, {"m", "1048576"}, {"g", "1073741824"}, {"b", "1"}};
        for (String[] unit : units) {
            if (u.endsWith(unit[0])) {
                mult = Long.parseLong(unit[1]);
                num = u.substring(0, u.length() - unit[0].length()).strip();
                break;
            }
        }
        try {
            long n = Long.parseLong(num);
            if (n <= 0) {
                throw bad(key, v, "a positive size such as 64MiB");
            }
            return Math.multiplyExact(n, mult);
        } catch (NumberFormatException | ArithmeticException e) {
            throw bad(key, v, "a size such as 64MiB, 512KiB or 1GiB");
        }
    }

    static Duration duration(String key, String v) {
        String u = v.strip().toLowerCase(Locale.ROOT);
        try {
            if (u.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(u.substring(0, u.length() - 2).strip()));
            } else if (u.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(u.substring(0, u.length() - 1).strip()));
            } else if (u.endsWith("min")) {
                return Duration.ofMinutes(Long.parseLong(u.substring(0, u.length() - 3).strip()));
            } else if (u.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(u.substring(0, u.length() - 1).strip()));
            } else if (u.endsWith("h")) {
                return Duration.ofHours(Long.parseLong(u.substring(0, u.length() - 1).strip()));
            }
            return Duration.ofSeconds(Long.parseLong(u));
        } catch (NumberFormatException e) {
            throw bad(key, v, "a duration such as 30s, 500ms, 2m or 1h");
        }
    }
}

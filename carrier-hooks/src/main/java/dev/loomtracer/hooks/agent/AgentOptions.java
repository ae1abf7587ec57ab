package dev.loomtracer.hooks.agent;

import dev.loomtracer.TraceOptions;
import dev.loomtracer.debug.DebugConfig;
import dev.loomtracer.trigger.FlightTriggers;
import dev.loomtracer.trigger.Trigger;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The agent's options: {@code -javaagent:carrier-hooks-agent.jar[=key=value,...]}.
 *
 * <ul>
 * <li>{@code output=FILE} - trace the whole run into FILE (streamed; or, with {@code flight},
 *     written at exit). Without output, the agent only installs the hooks, and the program
 *     (or a tool) starts and stops traces with the {@code dev.loomtracer.LoomTrace} API;</li>
 * <li>{@code stacks=off|on-block|every-block|all} - stacks on events (default off);</li>
 * <li>{@code flight=DURATION}, {@code flight=SIZE} or {@code flight=DURATION/SIZE} - flight-recorder mode: keep at least
 *     the last DURATION of trace (e.g. {@code 30s}, {@code 2m}; a bare number is seconds) in at
 *     most SIZE of memory (e.g. {@code 64MiB}; default 64 MiB), write it to {@code output} at
 *     exit, and on demand through the JMX operation
 *     {@code dev.loomtracer:type=FlightRecorder#dump(String file)};</li>
 * <li>{@code period=DURATION} - generation length (default 1s); {@code buffer=SIZE} - tracer buffer memory;</li>
 * <li>{@code quiet} - no messages on stderr but problems;</li>
 * <li>{@code http=HOST:PORT} - serve the debug endpoints ({@code /debug/trace}, {@code /debug/flight}, ...,
 *     {@link dev.loomtracer.debug.DebugEndpoints}) on the JDK's HTTP server; beyond loopback only with a
 *     token from {@code http-token-file=FILE} or the environment ({@code LOOMTRACE_DEBUG_TOKEN});</li>
 * <li>{@code trigger=KIND>DURATION} (repeatable: task, pinned, schedlat, block) - write a flight-recorder
 *     snapshot when it holds ({@link FlightTriggers}): into {@code snapshots=DIR} (default
 *     ./loomtrace-snapshots), at most {@code snapshot-count=N} files (10) and {@code snapshot-size=SIZE}
 *     (1GiB), at most one per {@code snapshot-interval=DURATION} (1m); turns the flight recorder on
 *     (30 s unless {@code flight=} says otherwise).</li>
 * </ul>
 *
 * <p>Invariant: parsing never throws and every value kept is valid. A bad option is one entry of
 * {@link #problems()} (naming the option, what it accepts, and what the agent does instead) and
 * falls back where the intent is unambiguous: a bad tuning value (stacks, period, buffer, the
 * flight window) to its default, an unknown key to nothing; with no usable output the run is not
 * traced. The agent prints the problems and goes on; {@code ./loomtrace run} refuses them.
 */
public record AgentOptions(Path output, TraceOptions.Stacks stacks, Duration flightAge, long flightBytes, boolean flight,
                           Duration period, long buffer, boolean quiet, List<Problem> problems,
                           String httpHost, int httpPort, String httpToken, List<Trigger> triggers,
                           FlightTriggers.Policy snapshots) {

    /** A flight-recorder window: at least {@code age} of history (null: bounded by size only) in at most {@code bytes} (0: default). */
    public record FlightWindow(Duration age, long bytes) {}

    /** The default snapshot directory of the triggers: {@value}, in the working directory. */
    static final String DEFAULT_SNAPSHOT_DIR = "loomtrace-snapshots";

    /** A bad option: what is wrong with it and how to fix it, then what the agent does instead. */
    public record Problem(String what, String instead) {
        @Override
        public String toString() {
            return instead.isEmpty() ? what : what + "; " + instead;
        }
    }

    static final long DEFAULT_FLIGHT_BYTES = 64L << 20;

    static final String KNOWN = "output=FILE, stacks=off|on-block|every-block|all, flight=DURATION|SIZE|DURATION/SIZE,"
            + " flight-size=SIZE, period=DURATION, buffer=SIZE, quiet, http=HOST:PORT, http-token-file=FILE,"
            + " trigger=KIND>DURATION, snapshots=DIR, snapshot-count=N, snapshot-size=SIZE, snapshot-interval=DURATION";

    /** A bad option: the message names it and says what to write instead. */
    private static final class Bad extends Exception {
        Bad(String message) {
            super(message, null, false, false);
        }
    }

    public static AgentOptions parse(String args) {
        return parse(args, System.getenv());
    }

    static AgentOptions parse(String args, java.util.Map<String, String> env) {
        List<Problem> problems = new ArrayList<>();
        String httpHost = null;
        int httpPort = -1;
        String httpToken = null;
        List<Trigger> triggers = new ArrayList<>();
        Path snapshotDir = Path.of(DEFAULT_SNAPSHOT_DIR);
        FlightTriggers.Policy defaults = FlightTriggers.Policy.defaults(snapshotDir);
        int snapshotCount = defaults.maxFiles();
        long snapshotBytes = defaults.maxBytes();
        Duration snapshotInterval = defaults.minInterval();
        Path output = null;
        boolean outputGiven = false;
        TraceOptions.Stacks stacks = TraceOptions.Stacks.OFF;
        Duration flightAge = null;
        long flightBytes = -1;
        boolean flightGiven = false;
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
                try {
                    switch (key) {
                        case "output", "o" -> {
                            outputGiven = true;
                            output = writableFile(key, value);
                        }
                        case "stacks" -> stacks = stacks(key, value);
                        case "flight" -> {
                            flightGiven = true;
                            FlightWindow w = window(key, value);
                            if (w.age() != null) {
                                flightAge = w.age();
                            }
                            if (w.bytes() > 0) {
                                flightBytes = w.bytes();
                            }
                        }
                        case "http" -> {
                            String v = require(key, value, "127.0.0.1:6060");
                            int colon = v.lastIndexOf(':');
                            if (colon <= 0) {
                                throw bad(key, value, "HOST:PORT, e.g. http=127.0.0.1:6060");
                            }
                            httpHost = v.substring(0, colon).replace("[", "").replace("]", "");
                            try {
                                httpPort = Integer.parseInt(v.substring(colon + 1));
                            } catch (NumberFormatException e) {
                                httpPort = -1;
                            }
                            if (httpPort < 0 || httpPort > 65535) {
                                httpHost = null;
                                throw bad(key, value, "HOST:PORT with a port from 0 to 65535, e.g. http=127.0.0.1:6060");
                            }
                        }
                        case "http-token-file" -> {
                            try {
                                httpToken = DebugConfig.readToken(Path.of(require(key, value, "/path/debug.token")));
                            } catch (IllegalArgumentException e) {
                                throw new Bad(e.getMessage());
                            }
                        }
                        case "trigger" -> {
                            try {
                                triggers.add(Trigger.parse(require(key, value, "task>500ms")));
                            } catch (IllegalArgumentException e) {
                                throw new Bad(e.getMessage());
                            }
                        }
                        case "snapshots" -> snapshotDir = Path.of(require(key, value, "/var/tmp/loomtrace"));
                        case "snapshot-count" -> {
                            try {
                                snapshotCount = Integer.parseInt(require(key, value, "10"));
                            } catch (NumberFormatException e) {
                                snapshotCount = 0;
                            }
                            if (snapshotCount < 1) {
                                snapshotCount = defaults.maxFiles();
                                throw bad(key, value, "a whole number of files, at least 1");
                            }
                        }
                        case "snapshot-size" -> snapshotBytes = size(key, value);
                        case "snapshot-interval" -> snapshotInterval = duration(key, value);
                        case "flight-size" -> {
                            flightGiven = true;
                            flightBytes = size(key, value);
                        }
                        case "period" -> period = period(key, value);
                        case "buffer" -> buffer = size(key, value);
                        case "quiet" -> quiet = true;
                        default -> throw new Bad("unknown option '" + p + "' ignored (options: " + KNOWN + ")");
                    }
                } catch (Bad e) {
                    problems.add(new Problem(e.getMessage(), switch (key) {
                        case "output", "o" -> "not tracing";
                        case "stacks" -> "tracing with stacks off";
                        case "flight", "flight-size" -> "using the default window (64 MiB)";
                        case "http", "http-token-file" -> "not serving the debug endpoints";
                        case "trigger" -> "that trigger is not checked";
                        case "snapshot-count" -> "keeping at most " + defaults.maxFiles() + " snapshots";
                        case "snapshot-size" -> "keeping at most " + (defaults.maxBytes() >> 20) + " MiB of snapshots";
                        case "snapshot-interval" -> "at most one snapshot per " + defaults.minInterval().toSeconds() + " s";
                        case "period" -> "using the default (1s)";
                        case "buffer" -> "using the default (64MiB)";
                        default -> "";
                    }));
                }
            }
        }
        if (httpHost != null && httpToken == null) {
            httpToken = DebugConfig.tokenFromEnvironment(env);
        }
        if (httpHost != null) {
            try {
                DebugConfig.checkAccess(httpHost, httpToken, "add http-token-file=FILE");
            } catch (IllegalArgumentException e) {
                problems.add(new Problem("option http=" + httpHost + ":" + httpPort + ": " + e.getMessage(),
                        "not serving the debug endpoints"));
                httpHost = null;
            }
        }
        // Triggers need the flight recorder (its window is what they write): on by default with them.
        boolean flight = flightGiven || !triggers.isEmpty();
        if (flight && output == null && httpHost == null && triggers.isEmpty()) {
            if (!outputGiven) {
                problems.add(new Problem("option flight needs output=FILE (where the window is written at exit),"
                        + " http=HOST:PORT (served at /debug/flight) or trigger=...: add output=/path/app.trace", "not tracing"));
            }
            flight = false;
        }
        if (flight && flightBytes <= 0) {
            flightBytes = DEFAULT_FLIGHT_BYTES;
        }
        if (flight && flightAge == null) {
            flightAge = Duration.ofDays(365); // bounded by size only
        }
        if (!flight) {
            flightAge = null;
            flightBytes = -1;
        }
        if (flight && flightAge.toDays() >= 365 && !triggers.isEmpty() && !flightGiven) {
            flightAge = Duration.ofSeconds(30); // triggers alone: the last 30 s
        }
        FlightTriggers.Policy snapshots = new FlightTriggers.Policy(snapshotDir.toAbsolutePath(), snapshotCount, snapshotBytes,
                snapshotInterval);
        return new AgentOptions(output, stacks, flightAge, flightBytes, flight, period, buffer, quiet, List.copyOf(problems),
                httpHost, httpHost == null ? -1 : httpPort, httpToken, List.copyOf(triggers), snapshots);
    }

    /**
     * A flight window {@code DURATION}, {@code SIZE} or {@code DURATION/SIZE} (30s, 64MiB,
     * 30s/64MiB), as {@code flight=} takes it.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static FlightWindow flightWindow(String spec) {
        try {
            return window("flight", spec);
        } catch (Bad e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    private static FlightWindow window(String key, String value) throws Bad {
        Duration age = null;
        long bytes = 0;
        for (String v : require(key, value, "30s, 64MiB or 30s/64MiB").split("/")) {
            if (looksLikeSize(v)) {
                bytes = size(key, v);
            } else {
                age = duration(key, v);
            }
        }
        return new FlightWindow(age, bytes);
    }

    /** The options as the engine takes them; valid by construction. */
    TraceOptions traceOptions() {
        TraceOptions t = TraceOptions.defaults().stacks(stacks);
        if (period != null) {
            t = t.generationPeriod(period);
        }
        if (buffer > 0) {
            t = withBuffer(t, buffer);
        }
        return t;
    }

    /** Buffer memory below the default generation size also makes generations smaller (a generation must fit). */
    private static TraceOptions withBuffer(TraceOptions t, long buffer) {
        long generation = TraceOptions.DEFAULT_GENERATION_BYTES;
        if (buffer < generation) {
            t = t.generationBytes(Math.max(TraceOptions.MIN_GENERATION_BYTES, buffer / 2));
        }
        return t.bufferMemory(buffer);
    }

    private static String require(String key, String value, String example) throws Bad {
        if (value.isEmpty()) {
            throw new Bad("option " + key + "= needs a value, e.g. " + key + "=" + example);
        }
        return value;
    }

    private static Bad bad(String key, String value, String expected) {
        return new Bad("bad option " + key + "=" + value + ": expected " + expected);
    }

    /** FILE, if its directory exists and it can be written (created or replaced) there. */
    private static Path writableFile(String key, String value) throws Bad {
        require(key, value, "/path/app.trace");
        Path p;
        try {
            p = Path.of(value).toAbsolutePath();
        } catch (InvalidPathException e) {
            throw bad(key, value, "a file name (" + e.getReason() + ")");
        }
        Path dir = p.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw bad(key, value, "a file in an existing directory (" + dir + " does not exist)");
        }
        if (Files.isDirectory(p)) {
            throw bad(key, value, "a file, not a directory");
        }
        if (Files.exists(p) ? !Files.isWritable(p) : !Files.isWritable(dir)) {
            throw bad(key, value, "a file this process may write (" + (Files.exists(p) ? p : dir) + " is not writable)");
        }
        return p;
    }

    private static TraceOptions.Stacks stacks(String key, String value) throws Bad {
        String word = require(key, value, "on-block").toLowerCase(Locale.ROOT);
        TraceOptions.Stacks s = TraceOptions.Stacks.parse(switch (word) {
            case "none" -> "off";
            case "block" -> "on-block";
            default -> word;
        });
        if (s == null) {
            throw bad(key, value, TraceOptions.Stacks.WORDS);
        }
        return s;
    }

    private static Duration period(String key, String value) throws Bad {
        Duration d = duration(key, value);
        try {
            TraceOptions.defaults().generationPeriod(d);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw bad(key, value, "a duration of at least 10ms, such as 1s");
        }
        return d;
    }

    /** A size ends in a byte unit (64MiB, 512KB, 1GiB, 1000b); anything else is a duration (30s, 2m). */
    private static boolean looksLikeSize(String v) {
        return v.strip().toLowerCase(Locale.ROOT).endsWith("b");
    }

    static long size(String key, String v) throws Bad {
        String u = require(key, v, "64MiB").toLowerCase(Locale.ROOT);
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
        long n;
        try {
            n = Math.multiplyExact(Long.parseLong(num), mult);
        } catch (NumberFormatException | ArithmeticException e) {
            throw bad(key, v, "a size such as 64MiB, 512KiB or 1GiB");
        }
        if (n < TraceOptions.MIN_BUFFER_BYTES) {
            throw bad(key, v, "a size of at least 256KiB, such as 64MiB");
        }
        return n;
    }

    static Duration duration(String key, String v) throws Bad {
        String u = require(key, v, "30s").toLowerCase(Locale.ROOT);
        Duration d;
        try {
            if (u.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(u.substring(0, u.length() - 2).strip()));
            } else if (u.endsWith("s")) {
                d = Duration.ofSeconds(Long.parseLong(u.substring(0, u.length() - 1).strip()));
            } else if (u.endsWith("min")) {
                d = Duration.ofMinutes(Long.parseLong(u.substring(0, u.length() - 3).strip()));
            } else if (u.endsWith("m")) {
                d = Duration.ofMinutes(Long.parseLong(u.substring(0, u.length() - 1).strip()));
            } else if (u.endsWith("h")) {
                d = Duration.ofHours(Long.parseLong(u.substring(0, u.length() - 1).strip()));
            } else {
                d = Duration.ofSeconds(Long.parseLong(u));
            }
        } catch (NumberFormatException | ArithmeticException e) {
            throw bad(key, v, "a duration such as 30s, 500ms, 2m or 1h");
        }
        if (d.isNegative() || d.isZero() || d.compareTo(Duration.ofDays(3650)) > 0) {
            throw bad(key, v, "a positive duration such as 30s, 500ms, 2m or 1h");
        }
        return d;
    }
}

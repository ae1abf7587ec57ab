package dev.loomtracer.format;

/**
 * The block and stop reason strings of a Loom Tracer trace: what the capture layer writes and what
 * the readers (analysis, JFR converter) read back, and the Go profile each one lands in.
 *
 * <p>{@code go tool trace} classifies a block by its reason string alone (Go's
 * {@code cmd/trace/pprof.go}): {@code -pprof=sync} (the web UI's "synchronization blocking
 * profile") counts reasons that contain {@code "sync"}, {@code "chan"} or {@code "select"};
 * {@code -pprof=net} counts the reason {@code "network"} exactly. So every wait on a lock,
 * monitor, condition, latch, future or queue starts with {@link #SYNC}, socket waits are
 * {@link #NETWORK}, and the rest ({@code park} without a blocker, {@code sleep}) are in neither,
 * as Go's own {@code sleep} is not (docs/FORMAT.md, "Block reasons").
 *
 * <p>A timed wait carries the duration it asked for ({@link #timed}): {@code sleep 5 ms},
 * {@code sync: park ReentrantLock$NonfairSync (timeout 2 ms)}, {@code sync: Object.wait (timeout
 * 100 ms)}, so a 5 ms sleep that lasted 468 ms in the trace can be told from a long one. The
 * duration is a suffix, so the profile class stays the untimed reason's ({@link #goProfile}).
 *
 * <p>Invariant: a reason is one of the constants here or {@link #parkOn(String)}'s form, possibly
 * with {@link #timed}'s duration; readers parse reasons only through this class.
 */
public final class BlockReasons {
    private BlockReasons() {}

    /** The prefix that puts a block in Go's synchronization profile. */
    public static final String SYNC = "sync: ";

    /** {@code synchronized} on a contended monitor. */
    public static final String MONITOR = SYNC + "monitor enter";
    /** {@code Object.wait}. */
    public static final String WAIT = SYNC + "Object.wait";
    /** {@code Thread.join}. */
    public static final String JOIN = SYNC + "join";
    /** A blocking queue's take/poll waiting for an element. */
    public static final String QUEUE_TAKE = SYNC + "queue take";
    /** A blocking queue's put/offer waiting for room. */
    public static final String QUEUE_PUT = SYNC + "queue put";
    /** Waiting for a socket, pipe or selector to be ready: Go's own word, which {@code -pprof=net} counts. */
    public static final String NETWORK = "network";
    /** {@code Thread.sleep}. */
    public static final String SLEEP = "sleep";
    /** {@code LockSupport.park} without a blocker: what it waits for is unknown, so no Go class. */
    public static final String PARK = "park";
    /** The stop reason of {@code Thread.yield}. */
    public static final String YIELD = "yield";

    private static final String PARK_ON = SYNC + PARK + " ";

    /** A park on a blocker, named by its class without the package: {@code sync: park ReentrantLock$NonfairSync}. */
    public static String parkOn(String simpleClassName) {
        return PARK_ON + simpleClassName;
    }

    private static final String TIMEOUT = " (timeout ";

    /**
     * {@code reason} for a wait that asked for at most {@code nanos}: {@code sleep 5 ms} for
     * {@link #SLEEP}, else {@code <reason> (timeout 2 ms)}. The duration is rounded up to two
     * significant digits ({@link #roundUp}), so a program's reasons stay few: 999.6 µs (what is
     * left of a 1 ms sleep whose first park returned at once) is {@code 1 ms}. {@link #NETWORK}
     * stays as it is ({@code -pprof=net} matches the whole reason), as does any reason for a
     * non-positive duration.
     */
    public static String timed(String reason, long nanos) {
        if (nanos <= 0 || reason == null || reason.equals(NETWORK)) {
            return reason;
        }
        String d = duration(roundUp(nanos));
        return reason.equals(SLEEP) ? SLEEP + " " + d : reason + TIMEOUT + d + ")";
    }

    /** {@code nanos} rounded up to two significant digits ({@code 1_234_567} is {@code 1_300_000}). */
    public static long roundUp(long nanos) {
        long unit = 1;
        while (nanos / unit >= 100) {
            unit *= 10;
        }
        long q = Math.ceilDiv(nanos, unit);
        return q <= Long.MAX_VALUE / unit ? q * unit : nanos / unit * unit; // near Long.MAX_VALUE (a park "forever"): down
    }

    /** The reason without the duration {@link #timed} gave it ({@code sleep 5 ms} is {@code sleep}). */
    public static String untimed(String reason) {
        if (reason == null) {
            return null;
        }
        int i = timeoutAt(reason);
        if (i >= 0) {
            return reason.substring(0, i);
        }
        return sleepNanos(reason) > 0 ? SLEEP : reason;
    }

    /** The duration a timed wait asked for, as {@link #timed} wrote it (rounded), or 0 for an untimed reason. */
    public static long timeoutNanos(String reason) {
        if (reason == null) {
            return 0;
        }
        int i = timeoutAt(reason);
        if (i >= 0) {
            return parseDuration(reason.substring(i + TIMEOUT.length(), reason.length() - 1));
        }
        return Math.max(0, sleepNanos(reason));
    }

    /** Where {@code " (timeout D)"} starts in {@code reason}, or -1. */
    private static int timeoutAt(String reason) {
        int i = reason.lastIndexOf(TIMEOUT);
        return i > 0 && reason.endsWith(")") && parseDuration(reason.substring(i + TIMEOUT.length(), reason.length() - 1)) > 0
                ? i : -1;
    }

    private static long sleepNanos(String reason) {
        return reason.startsWith(SLEEP + " ") ? parseDuration(reason.substring(SLEEP.length() + 1)) : -1;
    }

    /** {@code 5 ms}, {@code 1.5 ms}, {@code 250 µs}, {@code 2 s}, {@code 40 ns} (Go's unit names); exact up to three decimals. */
    static String duration(long nanos) {
        long unit = nanos >= 1_000_000_000L ? 1_000_000_000L : nanos >= 1_000_000L ? 1_000_000L : nanos >= 1_000L ? 1_000L : 1;
        String name = unit == 1_000_000_000L ? "s" : unit == 1_000_000L ? "ms" : unit == 1_000L ? "µs" : "ns";
        long whole = nanos / unit;
        long milli = (nanos % unit) * 1000 / unit; // three decimals, truncated
        if (milli == 0) {
            return whole + " " + name;
        }
        String f = Long.toString(1000 + milli).substring(1, milli % 100 == 0 ? 2 : milli % 10 == 0 ? 3 : 4);
        return whole + "." + f + " " + name;
    }

    /** {@link #duration}'s text back in nanoseconds, or -1 if it is not one. */
    static long parseDuration(String d) {
        int sp = d.indexOf(' ');
        if (sp <= 0) {
            return -1;
        }
        long unit = switch (d.substring(sp + 1)) {
            case "s" -> 1_000_000_000L;
            case "ms" -> 1_000_000L;
            case "µs" -> 1_000L;
            case "ns" -> 1L;
            default -> -1L;
        };
        if (unit < 0) {
            return -1;
        }
        try {
            return new java.math.BigDecimal(d.substring(0, sp)).multiply(java.math.BigDecimal.valueOf(unit)).longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            return -1;
        }
    }

    /**
     * The blocker class a {@link #parkOn} reason names (timed or not), or null for any other
     * reason. Also reads the form traces written before the {@link #SYNC} prefix have ({@code
     * park ReentrantLock}).
     */
    public static String blocker(String reason) {
        if (reason == null) {
            return null;
        }
        reason = untimed(reason);
        String r = reason.startsWith(SYNC) ? reason.substring(SYNC.length()) : reason;
        return r.startsWith(PARK + " ") && r.length() > PARK.length() + 1 ? r.substring(PARK.length() + 1) : null;
    }

    /** True for a contended monitor enter (never timed). */
    public static boolean isMonitorEnter(String reason) {
        return MONITOR.equals(reason);
    }

    /** The {@code go tool trace -pprof} profile that counts a block with this reason: "sync", "net", or null. */
    public static String goProfile(String reason) {
        if (reason == null) {
            return null;
        }
        if (reason.equals(NETWORK)) {
            return "net";
        }
        return reason.contains("sync") || reason.contains("chan") || reason.contains("select") ? "sync" : null;
    }
}

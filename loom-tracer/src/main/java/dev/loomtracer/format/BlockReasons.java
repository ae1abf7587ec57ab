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
 * <p>Invariant: a reason is one of the constants here or {@link #parkOn(String)}'s form; readers
 * parse reasons only through this class.
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

    /**
     * The blocker class a {@link #parkOn} reason names, or null for any other reason. Also reads
     * the form traces written before the {@link #SYNC} prefix have ({@code park ReentrantLock}).
     */
    public static String blocker(String reason) {
        if (reason == null) {
            return null;
        }
        String r = reason.startsWith(SYNC) ? reason.substring(SYNC.length()) : reason;
        return r.startsWith(PARK + " ") && r.length() > PARK.length() + 1 ? r.substring(PARK.length() + 1) : null;
    }

    /** True for a contended monitor enter. */
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

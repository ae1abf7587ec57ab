package dev.loomtracer.hooks.core;

import java.util.stream.Stream;

/**
 * The reason strings of block and stop events: what a virtual thread waits on, in words a
 * reader of the trace (and {@code go tool trace}) understands.
 *
 * <p>Vocabulary (stable; the tests and docs/CAPTURE.md rely on it):
 * <ul>
 * <li>{@code park} - {@code LockSupport.park} without a blocker; {@code park <Blocker>} - with one,
 *     named by its class without the package ({@code park ReentrantLock$NonfairSync});</li>
 * <li>{@code sleep}, {@code join}, {@code monitor enter}, {@code Object.wait};</li>
 * <li>{@code network} - waiting for a socket, pipe or selector to be ready (Go's own word, so that
 *     {@code go tool trace} counts it as network wait);</li>
 * <li>{@code queue take} / {@code queue put} - a blocking queue's take/poll or put/offer waiting
 *     on the queue's condition;</li>
 * <li>{@code yield} - the stop reason of {@code Thread.yield}.</li>
 * </ul>
 * Invariant: every reason is one of these strings or {@code park <Blocker>}; strings are
 * interned per blocker class, so a hook never allocates one.
 */
public final class Reasons {
    private Reasons() {}

    public static final String PARK = "park";
    public static final String SLEEP = "sleep";
    public static final String JOIN = "join";
    public static final String MONITOR = "monitor enter";
    public static final String WAIT = "Object.wait";
    public static final String NETWORK = "network";
    public static final String QUEUE_TAKE = "queue take";
    public static final String QUEUE_PUT = "queue put";
    public static final String YIELD = "yield";

    /** Log key of a pinned episode's reason (a user log on the pinned virtual thread). */
    public static final String PINNED_LOG_KEY = dev.loomtracer.format.TraceStrings.PINNED_LOG_KEY;

    private static final ClassValue<String> PARK_ON = new ClassValue<>() {
        @Override
        protected String computeValue(Class<?> c) {
            String n = c.getName();
            return (PARK + " " + n.substring(n.lastIndexOf('.') + 1)).intern();
        }
    };

    /** {@code park <Blocker>}, or {@code park} for a null blocker. */
    public static String park(Object blocker) {
        return blocker == null ? PARK : PARK_ON.get(blocker.getClass());
    }

    /**
     * True if a park on {@code blocker} says too little by itself and the stack should tell what
     * the thread waits for: a condition (a blocking queue's take or put) or a latch (a join).
     * A null blocker is not included: the agent knows those from call-site hints.
     */
    public static boolean blockerNeedsStack(Object blocker) {
        if (blocker == null) {
            return false;
        }
        String n = blocker.getClass().getName();
        return n.endsWith("$ConditionObject") || n.equals("java.util.concurrent.CountDownLatch$Sync");
    }

    /**
     * What a blocked thread waits in, from its top frames, or null if none of the known waits:
     * sleep, join, network, queue take/put, Object.wait.
     */
    public static String classify(Stream<StackWalker.StackFrame> frames) {
        return frames.map(Reasons::classify).filter(r -> r != null).findFirst().orElse(null);
    }

    private static String classify(StackWalker.StackFrame f) {
        return classify(f.getClassName(), f.getMethodName());
    }

    /** What a frame of class {@code c}, method {@code m} says the thread waits in, or null. */
    static String classify(String c, String m) {
        switch (c) {
            case "java.lang.VirtualThread":
                if (m.equals("sleepNanos")) return SLEEP;
                if (m.equals("joinNanos")) return JOIN;
                return null;
            case "java.lang.Thread":
                if (m.startsWith("sleep")) return SLEEP;
                if (m.equals("join")) return JOIN;
                return null;
            case "java.lang.Object":
                return m.startsWith("wait") ? WAIT : null;
            case "sun.nio.ch.Poller":
                return m.equals("poll") ? NETWORK : null;
            default:
                if (c.startsWith("java.util.concurrent.") && (c.endsWith("Queue") || c.endsWith("Deque"))) {
                    if (m.startsWith("take") || m.startsWith("poll")) return QUEUE_TAKE;
                    if (m.startsWith("put") || m.startsWith("offer")) return QUEUE_PUT;
                }
                return null;
        }
    }
}

package dev.loomtracer.hooks.core;

import dev.loomtracer.format.BlockReasons;

import java.util.stream.Stream;

/**
 * Why a virtual thread blocked, decided here and nowhere else: the agent's hooks (a park, a pinned
 * park) and the tracing scheduler (the end of a run) give what they know (the thread's state, a
 * call-site hint, the park's blocker, and when asked for, what the stack says it waits in) and
 * get the reason string. The strings themselves are {@link BlockReasons}' (Go's profile classes,
 * docs/FORMAT.md "Block reasons").
 *
 * <p>Invariant: the same facts give the same reason on both capture paths; a reason is asked of
 * the stack only when {@link #needsStack} says so; strings are interned per blocker class and
 * cached per duration ({@link Timeouts}), so choosing a reason allocates nothing once seen.
 */
public final class Reasons {
    private Reasons() {}

    public static final String PARK = BlockReasons.PARK;
    public static final String SLEEP = BlockReasons.SLEEP;
    public static final String JOIN = BlockReasons.JOIN;
    public static final String MONITOR = BlockReasons.MONITOR;
    public static final String WAIT = BlockReasons.WAIT;
    public static final String NETWORK = BlockReasons.NETWORK;
    public static final String QUEUE_TAKE = BlockReasons.QUEUE_TAKE;
    public static final String QUEUE_PUT = BlockReasons.QUEUE_PUT;
    public static final String YIELD = BlockReasons.YIELD;

    /** Log key of a pinned episode's reason (a user log on the pinned virtual thread). */
    public static final String PINNED_LOG_KEY = dev.loomtracer.format.TraceStrings.PINNED_LOG_KEY;

    private static final ClassValue<String> PARK_ON = new ClassValue<>() {
        @Override
        protected String computeValue(Class<?> c) {
            String n = c.getName();
            return BlockReasons.parkOn(n.substring(n.lastIndexOf('.') + 1)).intern();
        }
    };

    /** {@code sync: park <Blocker>}, or {@code park} for a null blocker. */
    public static String park(Object blocker) {
        return blocker == null ? PARK : PARK_ON.get(blocker.getClass());
    }

    /**
     * True if the reason of a block in JDK state {@code state} ({@code VirtualThread}'s, transitional
     * or settled) needs what the thread's stack says it waits in ({@link #classify}): a park on a
     * condition or latch; or, where no call-site hint can have named it ({@code hinted} false: the
     * tracing scheduler), a park without a blocker, and a wake-up that came before the state was
     * read (UNBLOCKED: a monitor enter or an {@code Object.wait}).
     */
    public static boolean needsStack(int state, String hint, Object blocker, boolean hinted) {
        if (state == VThreads.UNBLOCKED) {
            return true;
        }
        if (isMonitor(state) || isWait(state) || hint != null) {
            return false;
        }
        return blockerNeedsStack(blocker) || (!hinted && blocker == null);
    }

    /**
     * The reason of a block in JDK state {@code state}, with the duration a timed wait asked for
     * ({@code timeoutNanos}, {@link VThreads#timeoutNanos}; 0 if untimed): {@code sleep 5 ms},
     * {@code sync: park ReentrantLock$NonfairSync (timeout 2 ms)} ({@link BlockReasons#timed},
     * cached by {@link Timeouts}; {@code network} stays as it is).
     */
    public static String block(int state, String hint, Object blocker, String waitsIn, long timeoutNanos) {
        String r = block(state, hint, blocker, waitsIn);
        return timeoutNanos > 0 ? Timeouts.of(r, timeoutNanos) : r;
    }

    /**
     * The reason of a block in JDK state {@code state}, without its duration. {@code hint}: a
     * call-site hint (sleep, network) or null; {@code blocker}: the park's blocker; {@code
     * waitsIn}: what the stack says ({@link #classify}), or null if not asked for ({@link
     * #needsStack}) or nothing known.
     */
    static String block(int state, String hint, Object blocker, String waitsIn) {
        if (isMonitor(state)) {
            return MONITOR;
        }
        if (isWait(state)) {
            return WAIT;
        }
        if (state == VThreads.UNBLOCKED) {
            return WAIT.equals(waitsIn) ? WAIT : MONITOR;
        }
        if (hint != null) {
            return hint;
        }
        if (waitsIn != null && (blocker == null || blockerNeedsStack(blocker))) {
            return waitsIn;
        }
        return park(blocker);
    }

    private static boolean isMonitor(int state) {
        return state == VThreads.BLOCKING || state == VThreads.BLOCKED;
    }

    private static boolean isWait(int state) {
        return state == VThreads.WAITING || state == VThreads.TIMED_WAITING || state == VThreads.WAIT
                || state == VThreads.TIMED_WAIT;
    }

    /**
     * True if a park on {@code blocker} says too little by itself and the stack should tell what
     * the thread waits for: a condition (a blocking queue's take or put) or a latch (a join).
     * A null blocker is not included: the agent knows those from call-site hints.
     */
    public static boolean blockerNeedsStack(Object blocker) {
        return blocker != null && NEEDS_STACK.get(blocker.getClass());
    }

    /** {@link #blockerNeedsStack} per blocker class: decided once per class, not by comparing names at every park. */
    private static final ClassValue<Boolean> NEEDS_STACK = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> c) {
            String n = c.getName();
            return n.endsWith("$ConditionObject") || n.equals("java.util.concurrent.CountDownLatch$Sync");
        }
    };

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

package dev.loomtracer.examples;

import dev.loomtracer.Region;
import dev.loomtracer.Task;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What the example service does per request. Every operation blocks the way real services do,
 * and runs inside a {@link Region} of the request's {@link Task}, so a trace shows both why a
 * virtual thread blocked (from the capture layer) and which step of which request it was in:
 * <ul>
 *   <li>{@link #downstream}: an HTTP call to the downstream service (loopback, configurable
 *       latency) through {@link HttpURLConnection}: the virtual thread blocks reading the socket;</li>
 *   <li>{@link #inventory}: a shared resource behind a {@link ReentrantLock}, held across a short
 *       write, so concurrent requests queue on the lock;</li>
 *   <li>{@link #stats}: a {@code synchronized} section holding the monitor for a short
 *       computation, so concurrent requests block entering the monitor;</li>
 *   <li>{@link #sleep}: a short {@link Thread#sleep};</li>
 *   <li>{@link #pinned}: a sleep inside a class initializer, which pins the carrier.</li>
 * </ul>
 */
final class Service {
    /** How long the lock is held per request (a write to a slow store). */
    static final Duration HOLD = Duration.ofNanos(100_000);
    /** How long /work holds the monitor (computing). */
    static final Duration MONITOR_WORK = Duration.ofNanos(20_000);
    /** How long /monitor holds it: long enough that a second request on the other carrier gives up spinning and blocks. */
    static final Duration MONITOR_WORK_LONG = Duration.ofNanos(500_000);
    static final Duration SLEEP = Duration.ofMillis(1);
    static final Duration PINNED = Duration.ofMillis(2);

    private final URI downstream;
    private final ReentrantLock inventoryLock = new ReentrantLock();
    private long reserved; // guarded by inventoryLock
    private final Object statsMonitor = new Object();
    private long served; // guarded by statsMonitor

    static {
        // HttpURLConnection keeps at most 5 idle connections per destination by default; more
        // concurrent downstream calls than that would open and close a connection per call and
        // leave a TIME_WAIT socket each. Keep enough. (Read once, when the cache class loads.)
        if (System.getProperty("http.maxConnections") == null) {
            System.setProperty("http.maxConnections", "1024");
        }
    }

    Service(URI downstream) {
        this.downstream = downstream;
    }

    /** GET /work: a whole request: downstream call, lock, monitor, sleep. */
    String work(Task task) throws IOException, InterruptedException {
        String d = downstream(task);
        long r = inventory(task);
        long s = stats(task, MONITOR_WORK);
        sleep(task);
        return "work: downstream=" + d.strip() + " reserved=" + r + " served=" + s + "\n";
    }

    String downstream(Task task) throws IOException {
        try (Region r = task.region("downstream call")) {
            HttpURLConnection c = (HttpURLConnection) downstream.toURL().openConnection();
            c.setConnectTimeout(5_000);
            c.setReadTimeout(30_000);
            int status = c.getResponseCode();
            try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
                String body = in == null ? "" : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                if (status != 200) {
                    throw new IOException("downstream answered " + status + ": " + body.strip());
                }
                return body; // fully read and closed: the connection goes back to the keep-alive cache
            }
        }
    }

    long inventory(Task task) throws InterruptedException {
        try (Region r = task.region("inventory lock")) {
            inventoryLock.lock();
            try {
                Thread.sleep(HOLD);
                return ++reserved;
            } finally {
                inventoryLock.unlock();
            }
        }
    }

    long stats(Task task, Duration work) {
        try (Region r = task.region("stats monitor")) {
            synchronized (statsMonitor) {
                // CPU work only. A virtual thread that sleeps while holding a monitor unmounts
                // (JDK 24+) and that is fine on a plain JVM, but with
                // -XX:-DoJVMTIVirtualThreadTransitions (an option suggested to agent users) the
                // waiters never unmount and the server wedges; the example must run anywhere.
                spin(work);
                return ++served;
            }
        }
    }

    private static long sink;

    /** Computes for about {@code d}. */
    private static void spin(Duration d) {
        long end = System.nanoTime() + d.toNanos();
        long x = sink;
        do {
            for (int i = 0; i < 64; i++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
            }
        } while (System.nanoTime() < end);
        sink = x;
    }

    void sleep(Task task) throws InterruptedException {
        try (Region r = task.region("sleep")) {
            Thread.sleep(SLEEP);
        }
    }

    void pinned(Task task) {
        try (Region r = task.region("class initializer (pinned)")) {
            Pinning.sleepInsideClassInitializer(PINNED);
        }
    }
}

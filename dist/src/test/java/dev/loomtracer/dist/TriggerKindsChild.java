package dev.loomtracer.dist;

import dev.loomtracer.trigger.FlightTriggers;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.concurrent.locks.LockSupport;

/**
 * A JVM with one carrier ({@code -Djdk.virtualThreadScheduler.parallelism=1}) under the agent with
 * the {@code pinned}, {@code block} and {@code schedlat} triggers, for {@link EndpointTriggerTest}.
 * Each command makes one span longer than its trigger's threshold, and nothing else long, then
 * waits for the snapshot it causes:
 * <ul>
 *   <li>{@code pinned}: a virtual thread sleeps 400 ms in a class initializer (pinned to its carrier);</li>
 *   <li>{@code block}: a virtual thread parks for 500 ms;</li>
 *   <li>{@code schedlat}: a virtual thread is unparked while another holds the only carrier for
 *       400 ms (virtual threads are not preempted), so it waits that long to run.</li>
 * </ul>
 */
public final class TriggerKindsChild {
    /** Sleeps in its initializer: a park while pinned. */
    static final class SlowInit {
        static {
            try {
                Thread.sleep(400);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        static void touch() {}
    }

    private static volatile boolean spinning;

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        System.out.println("ready");
        for (String cmd; (cmd = in.readLine()) != null; ) {
            FlightTriggers t = FlightTriggers.current();
            long before = t.snapshotsWritten();
            switch (cmd) {
                case "pinned" -> Thread.ofVirtual().start(SlowInit::touch).join();
                case "block" -> Thread.ofVirtual().start(() -> LockSupport.parkNanos(500_000_000L)).join();
                case "schedlat" -> {
                    Thread waiter = Thread.ofVirtual().start(LockSupport::park);
                    while (waiter.getState() != Thread.State.WAITING) {
                        Thread.onSpinWait();
                    }
                    Thread hog = Thread.ofVirtual().start(() -> {
                        spinning = true;
                        long end = System.nanoTime() + 400_000_000L;
                        while (System.nanoTime() < end) {
                            Thread.onSpinWait(); // holds the only carrier
                        }
                    });
                    while (!spinning) {
                        Thread.onSpinWait();
                    }
                    LockSupport.unpark(waiter); // runnable now, runs only once the hog is done
                    hog.join();
                    waiter.join();
                }
                default -> {
                    System.out.println("unknown command " + cmd);
                    continue;
                }
            }
            while (t.snapshotsWritten() == before) {
                Thread.sleep(10); // polls the watcher's count: the condition ends the wait
            }
            System.out.println(cmd + " done");
        }
    }
}

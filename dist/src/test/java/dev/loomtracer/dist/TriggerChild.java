package dev.loomtracer.dist;

import dev.loomtracer.Task;
import dev.loomtracer.trigger.FlightTriggers;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.concurrent.Executors;

/**
 * A JVM started with only {@code -javaagent:loomtrace.jar=http=...,trigger=task>500ms,...}, for
 * {@link EndpointTriggerTest}: it prints the agent's debug endpoints' address, then does what its
 * stdin says:
 * <ul>
 *   <li>{@code fast}: 20 requests (tasks {@code fast-request}) of about 5 ms on virtual threads;</li>
 *   <li>{@code slow}: one request (task {@code slow-request}) of 700 ms, then waits for the
 *       trigger's snapshot;</li>
 * </ul>
 * and after each, waits until the triggers have checked two more generations than before (so the
 * generation that ends each request was checked) and prints what it did.
 */
public final class TriggerChild {
    public static void main(String[] args) throws Exception {
        System.out.println("http " + System.getProperty("loomtrace.http"));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        for (String cmd; (cmd = in.readLine()) != null; ) {
            FlightTriggers t = FlightTriggers.current();
            long checked = t.generationsChecked();
            switch (cmd) {
                case "fast" -> {
                    try (var ex = Executors.newVirtualThreadPerTaskExecutor()) {
                        for (int i = 0; i < 20; i++) {
                            ex.submit(() -> request("fast-request", 5));
                        }
                    }
                }
                case "slow" -> {
                    Thread.ofVirtual().start(() -> request("slow-request", 700)).join();
                    while (t.snapshotsWritten() == 0) {
                        Thread.sleep(10); // polls the watcher's count: the condition ends the wait
                    }
                }
                default -> {
                    System.out.println("unknown command " + cmd);
                    continue;
                }
            }
            while (t.generationsChecked() < checked + 2) {
                Thread.sleep(10); // polls the watcher's count: the condition ends the wait
            }
            System.out.println(cmd + " done; snapshots " + t.snapshotsWritten());
        }
    }

    /** For the endpoints alone (no trigger): prints the address and waits for the end of stdin. */
    public static final class NoTriggers {
        public static void main(String[] args) throws Exception {
            System.out.println("http " + System.getProperty("loomtrace.http"));
            System.in.transferTo(java.io.OutputStream.nullOutputStream());
        }
    }

    private static void request(String name, long millis) {
        try (Task task = Task.begin(name)) {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

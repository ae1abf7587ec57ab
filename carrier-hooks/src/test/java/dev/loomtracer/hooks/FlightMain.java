package dev.loomtracer.hooks;

import java.lang.management.ManagementFactory;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.management.ObjectName;

/**
 * Runs under the agent in flight-recorder mode: some virtual threads, then a snapshot on demand
 * through the agent's JMX operation (as jconsole or a JMX client would), then more work; the
 * agent writes the last window at exit.
 */
public final class FlightMain {
    private FlightMain() {}

    public static void main(String[] args) throws Exception {
        work(2000);
        ObjectName name = new ObjectName("dev.loomtracer:type=FlightRecorder");
        var server = ManagementFactory.getPlatformMBeanServer();
        for (int i = 0; i < 100 && !server.isRegistered(name); i++) {
            Thread.sleep(50); // the agent registers it in the background
        }
        Object r = server.invoke(name, "dump", new Object[] {args[0]}, new String[] {String.class.getName()});
        System.out.println("dump: " + r);
        work(2000);
    }

    private static void work(int n) throws Exception {
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                ex.submit(() -> {
                    Thread.sleep(1);
                    return null;
                });
            }
        }
    }
}

package dev.loomtracer.hooks;

import java.util.ArrayList;
import java.util.List;

/**
 * 16 virtual threads take one monitor 50 times each and sleep 0.1 ms inside it. On JDK 25.0.3 it
 * never finishes under -XX:-DoJVMTIVirtualThreadTransitions (agent or not); it must finish under
 * every capture mode Loom Tracer offers by default. Exits 0 if all finished within 20 s, else 1.
 */
public final class MonitorSleep {
    private MonitorSleep() {}

    public static void main(String[] args) throws Exception {
        Object lock = new Object();
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            ts.add(Thread.ofVirtual().start(() -> {
                for (int k = 0; k < 50; k++) {
                    synchronized (lock) {
                        try {
                            Thread.sleep(0, 100_000);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            }));
        }
        long end = System.nanoTime() + 20_000_000_000L;
        for (Thread t : ts) {
            t.join(Math.max(1, (end - System.nanoTime()) / 1_000_000));
        }
        long alive = ts.stream().filter(Thread::isAlive).count();
        System.out.println(alive == 0 ? "finished" : "STUCK: " + alive + " threads still in the monitor loop");
        System.exit(alive == 0 ? 0 : 1);
    }
}

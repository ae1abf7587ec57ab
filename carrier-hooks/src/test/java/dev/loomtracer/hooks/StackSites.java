package dev.loomtracer.hooks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * A workload that blocks at known sites a known number of times, each block measured by the
 * program itself, for {@link StackProfileFidelityTest}. Each site is a method of its own that parks
 * a virtual thread on a blocker of its own class until a platform "waker" thread, after sleeping
 * the site's duration on the OS clock (counted from the moment the thread is seen parked), unparks it. A block's true duration is
 * bracketed by two spans that end at the waker's clock at its unpark (all {@code System.nanoTime()}):
 * from the virtual thread's clock just before it parked (an upper bound: it includes the way from
 * {@code park} to the unmount, where the trace's block begins), and from the waker's clock when it
 * saw the thread parked (a lower bound: the thread was parked before the waker looked). The trace
 * shows the span from the block to its unblock, without the wait for a carrier after it. On a
 * quiet machine the two bounds are microseconds apart; under load the way to the unmount can take
 * milliseconds, which is why one span alone is not the truth.
 *
 * <p>Sites ({@link #SITES}): {@code siteOne} (its own thread, 1 ms blocks), {@code siteTwo} (its own
 * thread, 3 ms), and {@code mixedA}/{@code mixedB}, which one thread visits in a seeded random order
 * and which park on the same blocker class (so their blocks have the same reason: only the stack
 * tells them apart). Every site has at least 200 blocks, so that sampling one in 16 misses a site
 * with a probability of (15/16)^200, about 2.5e-6. Writes one line per site: {@code name blocks totalNanos}.
 */
public final class StackSites {
    private StackSites() {}

    static final class GateOne {}
    static final class GateTwo {}
    static final class GateMixed {}

    /** Site, blocks, duration of each in ms. */
    record Site(String name, int blocks, int millis) {}

    static final List<Site> SITES = List.of(new Site("siteOne", 400, 1), new Site("siteTwo", 200, 3),
            new Site("mixedA", 200, 1), new Site("mixedB", 200, 2));

    /** One block: the parking thread hands the waker its wake-up, parks, and the waker stamps the unpark. */
    private static final class Waker implements Runnable {
        final Thread vt;
        final LinkedBlockingQueue<Integer> requests = new LinkedBlockingQueue<>();
        volatile int woken = -1;
        volatile long unparkedAt;
        volatile long seenParkedAt;

        Waker(Thread vt) {
            this.vt = vt;
        }

        @Override
        public void run() {
            try {
                for (int millis; (millis = requests.take()) >= 0; ) {
                    // Wait until the thread has parked: an unpark before its park would make a
                    // block the program counts and the trace rightly does not show (the OS can
                    // hold the thread between its request and its park longer than the sleep).
                    while (vt.getState() != Thread.State.WAITING) {
                        LockSupport.parkNanos(20_000);
                    }
                    seenParkedAt = System.nanoTime();
                    Thread.sleep(millis);
                    unparkedAt = System.nanoTime();
                    woken++;
                    LockSupport.unpark(vt);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Per site: blocks, measured ns from before the park (upper bound), from seen parked (lower bound). */
    private static final long[][] MEASURED = new long[SITES.size()][3];

    private static void block(Waker w, Object gate, int site) {
        int call = w.woken + 1;
        w.requests.add(SITES.get(site).millis());
        long t0 = System.nanoTime();
        while (w.woken < call) {
            LockSupport.park(gate);
        }
        MEASURED[site][0]++;
        MEASURED[site][1] += w.unparkedAt - t0;
        MEASURED[site][2] += w.unparkedAt - w.seenParkedAt;
    }

    static void siteOne(Waker w, Object gate) {
        block(w, gate, 0);
    }

    static void siteTwo(Waker w, Object gate) {
        block(w, gate, 1);
    }

    static void mixedA(Waker w, Object gate) {
        block(w, gate, 2);
    }

    static void mixedB(Waker w, Object gate) {
        block(w, gate, 3);
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        List<Thread> threads = new ArrayList<>();
        List<Thread> wakers = new ArrayList<>();
        threads.add(visit(wakers, w -> {
            GateOne g = new GateOne();
            for (int i = 0; i < SITES.get(0).blocks(); i++) {
                siteOne(w, g);
            }
        }));
        threads.add(visit(wakers, w -> {
            GateTwo g = new GateTwo();
            for (int i = 0; i < SITES.get(1).blocks(); i++) {
                siteTwo(w, g);
            }
        }));
        threads.add(visit(wakers, w -> {
            GateMixed g = new GateMixed();
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < SITES.get(2).blocks(); i++) {
                order.add(2);
            }
            for (int i = 0; i < SITES.get(3).blocks(); i++) {
                order.add(3);
            }
            java.util.Collections.shuffle(order, new Random(16));
            for (int s : order) {
                if (s == 2) {
                    mixedA(w, g);
                } else {
                    mixedB(w, g);
                }
            }
        }));
        for (Thread t : threads) {
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        for (Thread w : wakers) {
            w.join();
        }
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < SITES.size(); i++) {
            lines.add(SITES.get(i).name() + " " + MEASURED[i][0] + " " + MEASURED[i][1] + " " + MEASURED[i][2]);
        }
        Files.write(out, lines);
    }

    private interface Body {
        void run(Waker w);
    }

    /** An unstarted virtual thread running {@code body} with a waker of its own (started; ends when the thread does). */
    private static Thread visit(List<Thread> wakers, Body body) {
        Waker[] w = new Waker[1];
        Thread vt = Thread.ofVirtual().unstarted(() -> {
            try {
                body.run(w[0]);
            } finally {
                w[0].requests.add(-1);
            }
        });
        w[0] = new Waker(vt);
        wakers.add(Thread.ofPlatform().daemon().name("waker-" + wakers.size()).start(w[0]));
        return vt;
    }

    /** Reads what {@link #main} wrote: site name to {blocks, upper-bound ns, lower-bound ns}. */
    static java.util.Map<String, long[]> readFrom(Path file) throws IOException {
        java.util.Map<String, long[]> m = new java.util.LinkedHashMap<>();
        for (String l : Files.readAllLines(file)) {
            String[] f = l.split(" ");
            m.put(f[0], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])});
        }
        return m;
    }
}

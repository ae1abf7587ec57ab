package dev.loomtracer.hooks;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/** A park/unpark ping-pong of two virtual threads while another thread takes their stack traces in a loop. */
public final class DumpWhileTracing {
    private DumpWhileTracing() {}

    public static void main(String[] args) throws Exception {
        AtomicInteger turn = new AtomicInteger();
        Thread[] ts = new Thread[2];
        AtomicBoolean stop = new AtomicBoolean();
        for (int i = 0; i < 2; i++) {
            int me = i;
            ts[i] = Thread.ofVirtual().unstarted(() -> {
                while (!stop.get()) {
                    while (turn.get() != me && !stop.get()) {
                        LockSupport.park();
                    }
                    turn.set(1 - me);
                    LockSupport.unpark(ts[1 - me]);
                }
            });
        }
        ts[0].start();
        ts[1].start();
        long end = System.nanoTime() + 1_000_000_000L;
        while (System.nanoTime() < end) {
            ts[0].getStackTrace();
            ts[1].getStackTrace();
        }
        stop.set(true);
        LockSupport.unpark(ts[0]);
        LockSupport.unpark(ts[1]);
        ts[0].join();
        ts[1].join();
    }
}

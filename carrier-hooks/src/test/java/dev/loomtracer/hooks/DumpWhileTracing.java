package dev.loomtracer.hooks;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A park/unpark ping-pong of two virtual threads while another thread takes their stack traces in
 * a loop, until both have done a fixed amount of work ({@link #ROUNDS} hand-offs, {@link #DUMPS}
 * pairs of stack traces): counted, not timed, so a slow machine does the same work.
 */
public final class DumpWhileTracing {
    private DumpWhileTracing() {}

    static final int ROUNDS = 20_000;
    static final int DUMPS = 2_000;

    public static void main(String[] args) throws Exception {
        AtomicInteger turn = new AtomicInteger();
        Thread[] ts = new Thread[2];
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger rounds = new AtomicInteger();
        for (int i = 0; i < 2; i++) {
            int me = i;
            ts[i] = Thread.ofVirtual().unstarted(() -> {
                while (!stop.get()) {
                    while (turn.get() != me && !stop.get()) {
                        LockSupport.park();
                    }
                    turn.set(1 - me);
                    rounds.incrementAndGet();
                    LockSupport.unpark(ts[1 - me]);
                }
            });
        }
        ts[0].start();
        ts[1].start();
        for (int dumps = 0; dumps < DUMPS || rounds.get() < ROUNDS; dumps++) {
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

package dev.loomtracer.hooks;

import dev.loomtracer.FlightRecorder;
import dev.loomtracer.LoomTrace;
import dev.loomtracer.TraceOptions;
import dev.loomtracer.TraceResult;
import dev.loomtracer.engine.Tracer;
import dev.loomtracer.hooks.core.Reasons;
import dev.loomtracer.hooks.core.VThreads;
import dev.loomtracer.testing.Spi;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;

/**
 * Runs under the capture layer with tracing off at start (the agent without {@code output=}, or
 * a patched java.base), and starts and stops many short traces itself while virtual threads of
 * the default scheduler ping-pong, sleep, contend on locks and monitors, hand off through
 * queues, yield, and are created and end all the time. Three ways to trace alternate: the public
 * stream API ({@code LoomTrace.start/stop}), the engine with its own reader (for the full loss
 * counters, nested events included) and the flight recorder ({@code FlightRecorder.start},
 * {@code writeTo}, {@code stop}).
 *
 * <p>Inside each trace the program makes "witness" virtual threads block in known ways, and
 * waits until each one really is blocked (its state says so) before it releases it; a witness
 * is either long-lived (parked since before the trace: the trace first meets it when the program
 * wakes it) or created inside the trace. Those blocks began after the start returned and were
 * released before the stop, so each must be in that trace. Written to {@code args[0]}/result:
 * per trace its file, the loss counters, and each witness's expected block.
 *
 * <p>Usage: {@code AgentStartStop DIR CYCLES SEED}.
 */
public final class AgentStartStop {
    private AgentStartStop() {}

    /** The SLEEP witness's sleep. */
    static final long SLEEP_MILLIS = 20;

    enum Kind {
        PARK, LOCK, MONITOR, WAIT, QUEUE, SLEEP;

        /** The block reason the trace must show. */
        String reason() {
            return switch (this) {
                case PARK -> Reasons.park(GATE);
                case LOCK -> dev.loomtracer.format.BlockReasons.parkOn("ReentrantLock$NonfairSync");
                case MONITOR -> Reasons.MONITOR;
                case WAIT -> Reasons.WAIT;
                case QUEUE -> Reasons.QUEUE_TAKE;
                case SLEEP -> dev.loomtracer.format.BlockReasons.timed(Reasons.SLEEP, SLEEP_MILLIS * 1_000_000); // with its length
            };
        }

        /** True if the program's main thread is the unblocker (it unparks, unlocks or puts). */
        boolean unblockedByMain() {
            return this == PARK || this == LOCK || this == QUEUE;
        }
    }

    /** What {@link Pinned}'s initializer does: read before it is touched, so kept outside it. */
    static final class PinControl {
        static volatile boolean stop;
        /** Park untimed (held) instead of short timed parks, until unparked. */
        static volatile boolean hold;
        /** The number of the park that is (or is about to be) held: its PARKS count. */
        static volatile long holdingPark;
        static final AtomicLong PARKS = new AtomicLong();
    }

    /**
     * Parks in its initializer, over and over, until told to stop: the thread that initializes
     * it is pinned (a native frame is on its stack), so each park is a pinned one (a syscall in
     * the trace), and traces start and stop while it is parked.
     */
    static final class Pinned {
        static {
            SplittableRandom r = new SplittableRandom(42);
            while (!PinControl.stop) {
                long n = PinControl.PARKS.incrementAndGet();
                if (PinControl.hold) {
                    PinControl.holdingPark = n;
                    LockSupport.park();
                } else {
                    LockSupport.parkNanos(50_000 + r.nextInt(3_000_000));
                }
            }
        }

        private Pinned() {}
    }

    /** The blocker a PARK witness parks on (its reason names this class). */
    static final class Gate {}

    static final Gate GATE = new Gate();
    static final Object MAILBOX = new Object();
    /**
     * A liveness guard, not a speed check: how long a wait for a witness may take before the
     * child gives up with the thread's state (a hang would otherwise only end at the parent's
     * 5-minute limit, without a diagnosis). Generous, so that a loaded machine never trips it.
     */
    static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

    /** A virtual thread that, on each request, blocks once in its kind's way and then reports done. */
    static final class Witness {
        final Kind kind;
        final boolean longLived;
        final AtomicInteger request = new AtomicInteger();
        final AtomicInteger phase = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        final AtomicInteger gate = new AtomicInteger();
        final AtomicInteger notified = new AtomicInteger();
        final ReentrantLock lock = new ReentrantLock();
        final Object monitor = new Object();
        final Object waitOn = new Object();
        final ArrayBlockingQueue<Integer> queue = new ArrayBlockingQueue<>(1);
        volatile Thread thread;

        Witness(Kind kind, boolean longLived) {
            this.kind = kind;
            this.longLived = longLived;
        }

        void body(AtomicReference<Throwable> failure, AtomicBoolean stop) {
            try {
                int handled = 0;
                while (!stop.get()) {
                    int r;
                    while ((r = request.get()) == handled && !stop.get()) {
                        LockSupport.park(MAILBOX);
                    }
                    if (r == handled) {
                        break;
                    }
                    handled = r;
                    blockOnce(r);
                    done.set(r);
                    if (!longLived) {
                        break;
                    }
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }

        private void blockOnce(int r) throws InterruptedException {
            switch (kind) {
                case PARK -> {
                    phase.set(r);
                    while (gate.get() < r) {
                        LockSupport.park(GATE);
                    }
                }
                case LOCK -> {
                    phase.set(r);
                    lock.lock(); // held by main
                    lock.unlock();
                }
                case MONITOR -> {
                    phase.set(r);
                    synchronized (monitor) { // held by main
                        Thread.onSpinWait();
                    }
                }
                case WAIT -> {
                    synchronized (waitOn) {
                        phase.set(r);
                        while (notified.get() < r) {
                            waitOn.wait();
                        }
                    }
                }
                case QUEUE -> {
                    phase.set(r);
                    queue.take();
                }
                case SLEEP -> {
                    LockSupport.parkUntil(0); // consume a permit left by an earlier sleep: the sleep parks
                    phase.set(r);
                    Thread.sleep(SLEEP_MILLIS);
                }
            }
        }

        /**
         * Asks for one block and releases it once the thread is seen blocked in it. Returns true
         * if the block was seen (always, except for a sleep that ended before it was seen).
         */
        boolean cycle(int r) throws InterruptedException {
            Thread t = thread;
            boolean seen;
            switch (kind) {
                case PARK -> {
                    post(r);
                    seen = awaitBlocked(r, VThreads.PARKED, true);
                    gate.set(r);
                    LockSupport.unpark(t);
                }
                case LOCK -> {
                    lock.lock();
                    try {
                        post(r);
                        seen = awaitBlocked(r, VThreads.PARKED, true) && lock.hasQueuedThread(t);
                    } finally {
                        lock.unlock();
                    }
                }
                case MONITOR -> {
                    synchronized (monitor) {
                        post(r);
                        seen = awaitBlocked(r, VThreads.BLOCKED, true);
                    }
                }
                case WAIT -> {
                    post(r);
                    seen = awaitBlocked(r, VThreads.WAIT, true);
                    synchronized (waitOn) {
                        notified.set(r);
                        waitOn.notifyAll();
                    }
                }
                case QUEUE -> {
                    post(r);
                    seen = awaitBlocked(r, VThreads.PARKED, true);
                    queue.put(r);
                }
                case SLEEP -> {
                    post(r);
                    seen = awaitBlocked(r, VThreads.TIMED_PARKED, false);
                }
                default -> throw new AssertionError(kind);
            }
            long deadline = System.nanoTime() + TIMEOUT_NANOS;
            while (done.get() < r) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(kind + " witness " + t + " did not finish request " + r + "; state "
                            + VThreads.stateName(VThreads.state(t)));
                }
                Thread.sleep(0, 20_000);
            }
            return seen;
        }

        private void post(int r) {
            request.set(r);
            LockSupport.unpark(thread);
        }

        /** Waits until the thread is in its request-{@code r} block ({@code state}); false if it finished first. */
        private boolean awaitBlocked(int r, int state, boolean must) throws InterruptedException {
            Thread t = thread;
            long deadline = System.nanoTime() + TIMEOUT_NANOS;
            for (;;) {
                if (phase.get() == r && VThreads.state(t) == state && done.get() < r) {
                    return true;
                }
                if (!must && done.get() >= r) {
                    return false;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(kind + " witness " + t + " never blocked for request " + r + "; state "
                            + VThreads.stateName(VThreads.state(t)) + ", phase " + phase.get());
                }
                Thread.onSpinWait();
                Thread.yield();
            }
        }
    }

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable t) {
            // exit even with a trace running or threads spinning (the test reads the output at exit)
            System.err.println("FAILED: " + t);
            t.printStackTrace();
            System.exit(2);
        }
        System.exit(0);
    }

    private static void run(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int cycles = Integer.parseInt(args[1]);
        SplittableRandom rnd = new SplittableRandom(Long.parseLong(args[2]));
        Files.createDirectories(dir);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> background = Background.start(stop, failure);

        List<Witness> longLived = new ArrayList<>();
        for (Kind k : Kind.values()) {
            Witness w = new Witness(k, true);
            w.thread = Thread.ofVirtual().name("witness-" + k).start(() -> w.body(failure, stop));
            longLived.add(w);
        }
        Thread pinned = Thread.ofVirtual().name("pinned").start(() -> {
            try {
                Class.forName(Pinned.class.getName(), true, AgentStartStop.class.getClassLoader());
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        Thread.sleep(50); // everything is switching, the long-lived witnesses wait in their mailbox

        List<String> lines = new ArrayList<>();
        lines.add("main " + Thread.currentThread().threadId());
        long totalWitnessed = 0;
        for (int c = 1; c <= cycles && failure.get() == null; c++) {
            pause(rnd, rnd.nextInt(12));
            String api = switch (c % 3) {
                case 0 -> "stream";
                case 1 -> "engine";
                default -> "flight";
            };
            TraceOptions.Stacks stacks = TraceOptions.Stacks.values()[rnd.nextInt(TraceOptions.Stacks.values().length)];
            Duration period = Duration.ofMillis(rnd.nextBoolean() ? 10 : 1000);
            Path file = dir.resolve(String.format("cycle-%02d.trace", c));
            Session s = Session.start(api, file, stacks, period);
            if (PinControl.hold) { // parked pinned since the last trace: its park ends in this one
                pause(rnd, rnd.nextInt(3));
                PinControl.hold = false;
                LockSupport.unpark(pinned);
            }

            // Some witnesses block at once, some after a while, all before the stop.
            List<Witness> fresh = new ArrayList<>();
            List<String> expected = new ArrayList<>();
            List<Kind> kinds = new ArrayList<>(List.of(Kind.values()));
            java.util.Collections.shuffle(kinds, new java.util.Random(rnd.nextLong()));
            for (Kind k : kinds) {
                if (rnd.nextInt(3) == 0) {
                    pause(rnd, rnd.nextInt(4));
                }
                boolean useFresh = rnd.nextBoolean();
                Witness w;
                int r;
                if (useFresh) {
                    Witness nw = new Witness(k, false);
                    nw.thread = Thread.ofVirtual().name("fresh-" + k + "-" + c).start(() -> nw.body(failure, stop));
                    fresh.add(nw);
                    w = nw;
                    r = 1;
                } else {
                    w = longLived.get(k.ordinal());
                    r = c;
                }
                if (w.cycle(r)) {
                    expected.add("expect " + c + " " + w.thread.threadId() + " " + k + " " + (useFresh ? "fresh" : "long")
                            + " " + k.unblockedByMain() + " " + k.reason().replace(' ', '_'));
                    totalWitnessed++;
                }
            }
            for (Witness w : fresh) {
                w.thread.join();
            }
            pause(rnd, rnd.nextInt(15));
            if (rnd.nextInt(3) == 0) { // the pinned thread parks (a syscall) in this trace, and stays parked across the stop
                PinControl.hold = true;
                // Park p0 itself may see hold: counted before this read, it can read hold after it
                // was set (then it is the held park, and no later one comes); every later park sees
                // hold. A held park of an earlier cycle has a smaller number. Waiting for "> p0"
                // waited forever when park p0 was the held one (a clean-clone CI run failed so,
                // the thread parked PINNED).
                long p0 = PinControl.PARKS.get();
                long deadline = System.nanoTime() + TIMEOUT_NANOS;
                while (!(PinControl.holdingPark >= p0 && VThreads.state(pinned) == VThreads.PINNED)) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("the pinned thread never parked pinned: "
                                + VThreads.stateName(VThreads.state(pinned)));
                    }
                    Thread.sleep(0, 50_000);
                }
                expected.add("pinned " + c + " " + pinned.threadId());
            }
            long[] counts = s.stop();
            lines.add("trace " + c + " " + file + " " + api + " " + stacks + " " + period.toMillis()
                    + " lost=" + counts[0] + " inconsistent=" + counts[1] + " nested=" + counts[2]
                    + " nestedKnown=" + counts[3]);
            lines.addAll(expected);
        }
        stop.set(true);
        PinControl.stop = true;
        PinControl.hold = false;
        LockSupport.unpark(pinned);
        pinned.join();
        for (Witness w : longLived) {
            LockSupport.unpark(w.thread);
        }
        Background.stop(background);
        for (Witness w : longLived) {
            w.thread.join();
        }
        if (failure.get() != null) {
            throw new AssertionError("a virtual thread failed", failure.get());
        }
        lines.add("witnessed " + totalWitnessed);
        Files.write(dir.resolve("result"), lines);
        System.out.println("AgentStartStop: " + cycles + " traces, " + totalWitnessed + " witnessed blocks");
    }

    /** Sleeps, spins or does nothing for about {@code ms} milliseconds. */
    private static void pause(SplittableRandom rnd, int ms) throws InterruptedException {
        switch (rnd.nextInt(3)) {
            case 0 -> { }
            case 1 -> Thread.sleep(ms);
            default -> {
                long end = System.nanoTime() + ms * 1_000_000L;
                while (System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
            }
        }
    }

    /** One trace, started one of three ways. */
    static final class Session {
        final String api;
        final Path file;
        FileChannel channel;
        Thread reader;
        AtomicReference<Throwable> readerFailure;
        FlightRecorder flight;

        private Session(String api, Path file) {
            this.api = api;
            this.file = file;
        }

        static Session start(String api, Path file, TraceOptions.Stacks stacks, Duration period) throws IOException {
            Session s = new Session(api, file);
            TraceOptions o = TraceOptions.defaults().generationPeriod(period).stacks(stacks);
            switch (api) {
                case "stream" -> {
                    s.channel = FileChannel.open(file, CREATE, WRITE, TRUNCATE_EXISTING);
                    LoomTrace.start(s.channel, o);
                }
                case "flight" -> s.flight = FlightRecorder.start(Duration.ofSeconds(30), 64L << 20, o);
                case "engine" -> {
                    Tracer t = Tracer.GLOBAL;
                    t.start(TraceOptions.defaults().generationPeriod(period).generationBytes(1 << 20).stacks(stacks));
                    s.readerFailure = new AtomicReference<>();
                    s.reader = Thread.ofPlatform().daemon().name("start-stop-reader").start(() -> {
                        try (FileChannel ch = FileChannel.open(file, CREATE, WRITE, TRUNCATE_EXISTING)) {
                            Spi.drain(t, ch, null);
                        } catch (IOException | InterruptedException | RuntimeException e) {
                            s.readerFailure.set(e);
                        }
                    });
                }
                default -> throw new IllegalArgumentException(api);
            }
            return s;
        }

        /** Stops the trace: {lost, inconsistent, nested, 1 if nested is the whole session's count}. */
        long[] stop() throws Exception {
            switch (api) {
                case "stream" -> {
                    TraceResult r = LoomTrace.stop();
                    channel.close();
                    return new long[] {r.lostEvents(), r.inconsistentEvents(), r.nestedEvents(), 1};
                }
                case "flight" -> {
                    try (OutputStream out = Files.newOutputStream(file)) {
                        flight.writeTo(out);
                    }
                    TraceResult r = flight.stop();
                    return new long[] {r.lostEvents(), r.inconsistentEvents(), r.nestedEvents(), 1};
                }
                default -> {
                    TraceResult st = Tracer.GLOBAL.stop();
                    reader.join();
                    if (readerFailure.get() != null) {
                        throw new IllegalStateException("reading the trace failed", readerFailure.get());
                    }
                    return new long[] {st.lostEvents(), st.inconsistentEvents(), st.nestedEvents(), 1};
                }
            }
        }
    }

    /** The scheduling noise: threads that switch all the time, tracing or not. */
    static final class Background {
        static List<Thread> start(AtomicBoolean stop, AtomicReference<Throwable> failure) {
            List<Thread> ts = new ArrayList<>();
            // park/unpark ping-pong pairs, with a breath now and then
            for (int p = 0; p < 3; p++) {
                Thread[] pair = new Thread[2];
                AtomicInteger turn = new AtomicInteger();
                for (int i = 0; i < 2; i++) {
                    int me = i;
                    pair[i] = Thread.ofVirtual().name("pingpong-" + p + "-" + i).unstarted(guard(failure, () -> {
                        for (long n = 0; !stop.get(); n++) {
                            while (turn.get() != me && !stop.get()) {
                                LockSupport.park();
                            }
                            if (n % 16 == 0) {
                                LockSupport.parkNanos(100_000);
                            }
                            turn.set(1 - me);
                            LockSupport.unpark(pair[1 - me]);
                        }
                        LockSupport.unpark(pair[1 - me]);
                    }));
                    ts.add(pair[i]);
                }
            }
            // ReentrantLock and monitor contention, holding across a short park or sleep
            ReentrantLock lock = new ReentrantLock();
            Object monitor = new Object();
            for (int i = 0; i < 3; i++) {
                ts.add(Thread.ofVirtual().name("locker-" + i).unstarted(guard(failure, () -> {
                    while (!stop.get()) {
                        lock.lock();
                        try {
                            LockSupport.parkNanos(50_000);
                        } finally {
                            lock.unlock();
                        }
                        Thread.yield();
                    }
                })));
                ts.add(Thread.ofVirtual().name("syncer-" + i).unstarted(guard(failure, () -> {
                    while (!stop.get()) {
                        synchronized (monitor) {
                            Thread.sleep(0, 50_000);
                        }
                        Thread.yield();
                    }
                })));
            }
            // Object.wait/notify pair
            Object waitOn = new Object();
            AtomicLong token = new AtomicLong();
            ts.add(Thread.ofVirtual().name("waiter").unstarted(guard(failure, () -> {
                long seen = 0;
                while (!stop.get()) {
                    synchronized (waitOn) {
                        while (token.get() == seen && !stop.get()) {
                            waitOn.wait(5);
                        }
                        seen = token.get();
                    }
                }
            })));
            ts.add(Thread.ofVirtual().name("notifier").unstarted(guard(failure, () -> {
                while (!stop.get()) {
                    synchronized (waitOn) {
                        token.incrementAndGet();
                        waitOn.notifyAll();
                    }
                    Thread.sleep(0, 200_000);
                }
            })));
            // queue hand-offs: a synchronous queue and a bounded one
            SynchronousQueue<Integer> sq = new SynchronousQueue<>();
            ArrayBlockingQueue<Integer> abq = new ArrayBlockingQueue<>(2);
            ts.add(Thread.ofVirtual().name("producer").unstarted(guard(failure, () -> {
                for (int i = 0; !stop.get(); i++) {
                    if (sq.offer(i, 5, TimeUnit.MILLISECONDS)) {
                        abq.offer(i, 5, TimeUnit.MILLISECONDS);
                    }
                }
            })));
            ts.add(Thread.ofVirtual().name("consumer").unstarted(guard(failure, () -> {
                while (!stop.get()) {
                    sq.poll(5, TimeUnit.MILLISECONDS);
                    abq.poll(5, TimeUnit.MILLISECONDS);
                }
            })));
            // sleepers
            for (int i = 0; i < 2; i++) {
                ts.add(Thread.ofVirtual().name("sleeper-" + i).unstarted(guard(failure, () -> {
                    while (!stop.get()) {
                        Thread.sleep(0, 300_000);
                    }
                })));
            }
            // churn: short-lived threads created and ended all the time
            for (int i = 0; i < 2; i++) {
                ts.add(Thread.ofVirtual().name("spawner-" + i).unstarted(guard(failure, () -> {
                    SplittableRandom r = new SplittableRandom();
                    while (!stop.get()) {
                        Thread[] batch = new Thread[8];
                        for (int j = 0; j < batch.length; j++) {
                            int what = r.nextInt(4);
                            batch[j] = Thread.ofVirtual().start(() -> {
                                switch (what) {
                                    case 0 -> LockSupport.parkNanos(20_000);
                                    case 1 -> Thread.yield();
                                    case 2 -> {
                                        synchronized (monitor) {
                                            Thread.onSpinWait();
                                        }
                                    }
                                    default -> { }
                                }
                            });
                        }
                        for (Thread t : batch) {
                            t.join();
                        }
                        LockSupport.parkNanos(200_000);
                    }
                })));
            }
            for (Thread t : ts) {
                t.start();
            }
            return ts;
        }

        static void stop(List<Thread> ts) throws InterruptedException {
            for (Thread t : ts) {
                LockSupport.unpark(t);
            }
            for (Thread t : ts) {
                if (!t.join(Duration.ofSeconds(30))) {
                    throw new AssertionError("background thread did not end: " + t);
                }
            }
        }

        interface Body {
            void run() throws Exception;
        }

        private static Runnable guard(AtomicReference<Throwable> failure, Body b) {
            return () -> {
                try {
                    b.run();
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            };
        }
    }
}

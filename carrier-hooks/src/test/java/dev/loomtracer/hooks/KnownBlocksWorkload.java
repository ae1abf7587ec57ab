package dev.loomtracer.hooks;

import dev.loomtracer.hooks.core.VThreads;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Virtual threads that each block in one known way a known number of times, run one kind at a
 * time. Each kind has a subject (the thread that blocks) and a helper (the thread that wakes it,
 * only once the subject is really blocked, so that every wait is one block). What the trace
 * must show for each subject is decided by the test, per capture path; this records who is who.
 *
 * <p>Used in-process (the tracing scheduler) and in a JVM started with the agent ({@link #main}).
 */
final class KnownBlocksWorkload {
    enum Kind {
        PARK(7), SLEEP(6), LOCK(5), MONITOR(5), WAIT(5), SOCKET(6), QUEUE(5), YIELD(8), JOIN(4), CLINIT(PinnerState.PINNER_PARKS),
        /** {@code ReentrantLock.tryLock} and {@code Object.wait} with a timeout: the reason carries it. */
        TIMED_LOCK(3), TIMED_WAIT(3);

        final int count;

        Kind(int count) {
            this.count = count;
        }
    }

    /** One kind's subject and helper, and (for JOIN) the threads whose end released the subject, in order. */
    record Subject(Kind kind, long subject, long helper, List<Long> releasers) {}

    /** {@code sleepNanos}: the length of each of the SLEEP subject's sleeps. */
    record Result(long driver, List<Subject> subjects, Map<Long, String> platformThreads, long sleepNanos) {
        Subject of(Kind k) {
            return subjects.stream().filter(s -> s.kind == k).findFirst().orElseThrow();
        }

        void writeTo(Path file) throws IOException {
            List<String> lines = new ArrayList<>();
            lines.add("driver " + driver);
            lines.add("sleep " + sleepNanos);
            for (Subject s : subjects) {
                StringBuilder b = new StringBuilder("subject " + s.kind + " " + s.subject + " " + s.helper);
                for (long r : s.releasers) {
                    b.append(' ').append(r);
                }
                lines.add(b.toString());
            }
            platformThreads.forEach((id, name) -> lines.add("thread " + id + " " + name));
            Files.write(file, lines);
        }

        static Result readFrom(Path file) throws IOException {
            long driver = -1;
            long sleepNanos = -1;
            List<Subject> subjects = new ArrayList<>();
            Map<Long, String> threads = new LinkedHashMap<>();
            for (String line : Files.readAllLines(file)) {
                String[] w = line.split(" ", 3);
                switch (w[0]) {
                    case "driver" -> driver = Long.parseLong(w[1]);
                    case "sleep" -> sleepNanos = Long.parseLong(w[1]);
                    case "thread" -> threads.put(Long.parseLong(w[1]), w[2]);
                    case "subject" -> {
                        String[] f = line.split(" ");
                        List<Long> rel = new ArrayList<>();
                        for (int i = 4; i < f.length; i++) {
                            rel.add(Long.parseLong(f[i]));
                        }
                        subjects.add(new Subject(Kind.valueOf(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]), rel));
                    }
                    default -> throw new IOException("bad line: " + line);
                }
            }
            return new Result(driver, subjects, threads, sleepNanos);
        }
    }

    private KnownBlocksWorkload() {}

    static Result run(ThreadFactory vts) throws Exception {
        return run(vts, List.of(Kind.values()));
    }

    /** The timeout of the TIMED_ kinds' waits: long enough never to expire (the helper ends each wait). */
    static final long TIMEOUT_MILLIS = 60_000;

    /** The SLEEP subject's sleep length, unless told otherwise. */
    static final long SLEEP_NANOS = 1_000_000;

    static Result run(ThreadFactory vts, List<Kind> kinds) throws Exception {
        return run(vts, kinds, SLEEP_NANOS);
    }

    /** {@code sleepNanos}: how long each of the SLEEP subject's sleeps is. */
    static Result run(ThreadFactory vts, List<Kind> kinds, long sleepNanos) throws Exception {
        List<Subject> subjects = new ArrayList<>();
        for (Kind k : kinds) {
            subjects.add(runKind(vts, k, sleepNanos));
        }
        Map<Long, String> platform = new LinkedHashMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            platform.put(t.threadId(), t.getName());
        }
        return new Result(Thread.currentThread().threadId(), subjects, platform, sleepNanos);
    }

    private static Subject runKind(ThreadFactory vts, Kind k, long sleepNanos) throws Exception {
        int n = k.count;
        AtomicReference<Thread> subjectRef = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Long> releasers = new ArrayList<>();
        AtomicInteger held = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        // Counted waits the subject came back from: the helper wakes wait i only after i returned,
        // because some wake-ups are asynchronous and a thread still reads WAITING until it runs.
        AtomicInteger progress = new AtomicInteger();
        Class<?> pinner = k == Kind.CLINIT ? PinnerState.freshPinner() : null;
        PinnerState.PARKS.set(0);
        Object mon = new Object();
        int[] signals = {0};
        ReentrantLock lock = new ReentrantLock();
        ArrayBlockingQueue<Integer> queue = new ArrayBlockingQueue<>(1);
        AtomicReferenceArray<Thread> children = new AtomicReferenceArray<>(n);
        AtomicReference<Socket> clientRef = new AtomicReference<>();
        AtomicReference<Socket> acceptedRef = new AtomicReference<>();
        ServerSocket server = null;
        if (k == Kind.SOCKET) {
            server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        }
        ServerSocket srv = server;

        Runnable subjectBody = switch (k) {
            case PARK -> () -> {
                for (int i = 0; i < n; i++) {
                    LockSupport.park();
                    progress.incrementAndGet();
                }
            };
            case SLEEP -> () -> {
                for (int i = 0; i < n; i++) {
                    // A virtual thread's sleep ends by setting its park permit (JDK 25
                    // VirtualThread.sleepNanos, "may have been unparked while sleeping"), so the
                    // next sleep's first park returns at once, and if the sleep's time is up by
                    // then (the OS descheduled the thread for a millisecond) it never parks: a
                    // sleep with no block, which the trace rightly does not show. Consuming the
                    // permit first (a deadline in the past never parks) makes every sleep park once.
                    LockSupport.parkUntil(0);
                    sleep(sleepNanos);
                }
            };
            case LOCK -> () -> {
                for (int i = 0; i < n; i++) {
                    spinUntil(held, i + 1);
                    lock.lock();
                    lock.unlock();
                    done.set(i + 1);
                }
            };
            case TIMED_LOCK -> () -> {
                for (int i = 0; i < n; i++) {
                    spinUntil(held, i + 1);
                    try {
                        if (!lock.tryLock(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                            throw new IllegalStateException("tryLock timed out");
                        }
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    lock.unlock();
                    done.set(i + 1);
                }
            };
            case TIMED_WAIT -> () -> {
                for (int i = 0; i < n; i++) {
                    synchronized (mon) {
                        while (signals[0] < i + 1) {
                            try {
                                mon.wait(TIMEOUT_MILLIS);
                            } catch (InterruptedException e) {
                                throw new IllegalStateException(e);
                            }
                        }
                    }
                    progress.incrementAndGet();
                }
            };
            case MONITOR -> () -> {
                for (int i = 0; i < n; i++) {
                    spinUntil(held, i + 1);
                    synchronized (mon) { // MONITOR's contended enter
                        done.set(i + 1);
                    }
                }
            };
            case WAIT -> () -> {
                for (int i = 0; i < n; i++) {
                    synchronized (mon) {
                        while (signals[0] < i + 1) {
                            try {
                                mon.wait();
                            } catch (InterruptedException e) {
                                throw new IllegalStateException(e);
                            }
                        }
                    }
                    progress.incrementAndGet();
                }
            };
            case SOCKET -> () -> {
                try {
                    InputStream in = clientRef.get().getInputStream();
                    for (int i = 0; i < n; i++) {
                        if (in.read() < 0) {
                            throw new IllegalStateException("early end of stream");
                        }
                        progress.incrementAndGet();
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            };
            case QUEUE -> () -> {
                for (int i = 0; i < n; i++) {
                    try {
                        queue.take();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    progress.incrementAndGet();
                }
            };
            case YIELD -> () -> {
                for (int i = 0; i < n; i++) {
                    Thread.yield();
                }
            };
            case JOIN -> () -> {
                for (int i = 0; i < n; i++) {
                    Thread c;
                    while ((c = children.get(i)) == null) {
                        Thread.onSpinWait();
                    }
                    try {
                        c.join();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
            };
            case CLINIT -> () -> {
                try {
                    Class.forName(pinner.getName(), true, pinner.getClassLoader());
                } catch (ClassNotFoundException e) {
                    throw new IllegalStateException(e);
                }
            };
        };

        Runnable helperBody = () -> {
            Thread subject;
            while ((subject = subjectRef.get()) == null) {
                Thread.onSpinWait();
            }
            try {
                switch (k) {
                    case PARK -> {
                        for (int i = 0; i < n; i++) {
                            awaitCount(progress, i);
                            awaitState(subject, Thread.State.WAITING);
                            LockSupport.unpark(subject);
                        }
                    }
                    case CLINIT -> {
                        // A pinned thread reads WAITING until it runs again: count the parks too.
                        for (int i = 0; i < n; i++) {
                            awaitCount(PinnerState.PARKS, i + 1);
                            awaitState(subject, Thread.State.WAITING);
                            LockSupport.unpark(subject);
                        }
                    }
                    case LOCK, TIMED_LOCK -> {
                        for (int i = 0; i < n; i++) {
                            lock.lock();
                            held.set(i + 1);
                            awaitState(subject, k == Kind.LOCK ? Thread.State.WAITING : Thread.State.TIMED_WAITING);
                            lock.unlock();
                            awaitCount(done, i + 1);
                        }
                    }
                    case MONITOR -> {
                        for (int i = 0; i < n; i++) {
                            synchronized (mon) {
                                held.set(i + 1);
                                // BLOCKED as the JDK sees it (after afterYield), not BLOCKING, which
                                // getState() reports as BLOCKED too: an exit during BLOCKING is
                                // completed by the thread's own carrier (unblocked by the scheduler).
                                awaitVThreadState(subject, VThreads.BLOCKED);
                            }
                            awaitCount(done, i + 1);
                        }
                    }
                    case WAIT, TIMED_WAIT -> {
                        for (int i = 0; i < n; i++) {
                            awaitCount(progress, i);
                            awaitState(subject, k == Kind.WAIT ? Thread.State.WAITING : Thread.State.TIMED_WAITING);
                            synchronized (mon) {
                                signals[0] = i + 1;
                                mon.notify();
                            }
                        }
                    }
                    case SOCKET -> {
                        OutputStream out = acceptedRef.get().getOutputStream();
                        for (int i = 0; i < n; i++) {
                            awaitCount(progress, i);
                            awaitState(subject, Thread.State.WAITING);
                            out.write(i);
                            out.flush();
                        }
                    }
                    case QUEUE -> {
                        for (int i = 0; i < n; i++) {
                            awaitCount(progress, i);
                            awaitState(subject, Thread.State.WAITING);
                            queue.put(i);
                        }
                    }
                    case JOIN -> {
                        for (int i = 0; i < n; i++) {
                            Thread c = vts.newThread(LockSupport::park);
                            synchronized (releasers) {
                                releasers.add(c.threadId());
                            }
                            c.start();
                            children.set(i, c);
                            awaitState(subject, Thread.State.WAITING);
                            LockSupport.unpark(c);
                            c.join();
                        }
                    }
                    default -> { }
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
                System.err.println("KnownBlocksWorkload " + k + " helper failed: " + t);
                t.printStackTrace();
            }
        };

        if (k == Kind.SOCKET) {
            // Connected before the subject starts, so that its only waits are its reads.
            Thread setup = vts.newThread(() -> {
                try {
                    Socket c = new Socket(InetAddress.getLoopbackAddress(), srv.getLocalPort());
                    c.setTcpNoDelay(true);
                    clientRef.set(c);
                    acceptedRef.set(srv.accept());
                    acceptedRef.get().setTcpNoDelay(true);
                } catch (IOException e) {
                    failure.compareAndSet(null, e);
                }
            });
            setup.start();
            setup.join();
        }
        Runnable guardedSubject = () -> {
            try {
                subjectBody.run();
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        };
        Thread helper = vts.newThread(helperBody);
        Thread subject = vts.newThread(guardedSubject);
        helper.start();
        subjectRef.set(subject);
        subject.start();
        subject.join();
        helper.join();
        if (server != null) {
            clientRef.get().close();
            acceptedRef.get().close();
            server.close();
        }
        if (failure.get() != null) {
            throw new AssertionError(k + " failed", failure.get());
        }
        return new Subject(k, subject.threadId(), helper.threadId(), List.copyOf(releasers));
    }

    private static void sleep(long nanos) {
        try {
            Thread.sleep(java.time.Duration.ofNanos(nanos));
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits without blocking (the subject's only blocks are the counted ones). */
    private static void spinUntil(AtomicInteger v, int value) {
        while (v.get() < value) {
            Thread.onSpinWait();
        }
    }

    private static void awaitCount(AtomicInteger v, int value) {
        while (v.get() < value) {
            LockSupport.parkNanos(50_000);
        }
    }

    private static void awaitVThreadState(Thread t, int state) {
        while (VThreads.state(t) != state) {
            if (t.getState() == Thread.State.TERMINATED) {
                throw new IllegalStateException(t + " ended while waited for " + VThreads.stateName(state));
            }
            LockSupport.parkNanos(50_000);
        }
    }

    private static void awaitState(Thread t, Thread.State s) {
        while (t.getState() != s) {
            if (t.getState() == Thread.State.TERMINATED) {
                throw new IllegalStateException(t + " ended while waited for " + s);
            }
            LockSupport.parkNanos(50_000);
        }
    }

    /** The agent path: {@code java -javaagent:...=output=TRACE KnownBlocksWorkload RESULT_FILE [KIND,... [SLEEP_NANOS]]}. */
    public static void main(String[] args) throws Exception {
        List<Kind> kinds = args.length > 1
                ? java.util.Arrays.stream(args[1].split(",")).map(Kind::valueOf).toList() : List.of(Kind.values());
        long sleepNanos = args.length > 2 ? Long.parseLong(args[2]) : SLEEP_NANOS;
        Result r = run(Thread.ofVirtual().factory(), kinds, sleepNanos);
        r.writeTo(Path.of(args[0]));
    }
}

package dev.loomtracer.stress;

import dev.loomtracer.LoomTrace;
import dev.loomtracer.Region;
import dev.loomtracer.Task;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Thousands of virtual threads churning through every kind of blocking: timed and untimed park,
 * sleep, contended {@link ReentrantLock}s, contended monitors, wait/notify, loopback sockets,
 * blocking queues, yield, and class initialization that blocks while pinned; plus user tasks,
 * regions and logs. It never stops on its own; {@link #close()} stops it.
 */
final class ChurnWorkload implements AutoCloseable {
    private final List<Thread> threads = new ArrayList<>();
    private final ReentrantLock[] locks = new ReentrantLock[8];
    private final Object[] monitors = new Object[8];
    private final BlockingQueue<Integer> queue = new ArrayBlockingQueue<>(64);
    private final ServerSocket server;
    private volatile boolean stop;
    /** Operations completed: the stall check watches it grow to prove the application never blocks. */
    final AtomicLong ops = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    private volatile Throwable firstError;

    ChurnWorkload(ThreadFactory factory, int vts) throws IOException {
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new ReentrantLock();
            monitors[i] = new Object();
        }
        server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        // Echo servers: one virtual thread per accepted connection.
        start(factory, () -> {
            while (!stop) {
                try {
                    Socket s = server.accept();
                    start(factory, () -> echo(s));
                } catch (IOException e) {
                    if (!stop) {
                        fail(e);
                    }
                }
            }
        });
        int clients = Math.max(2, vts / 100);
        for (int i = 0; i < clients; i++) {
            start(factory, this::socketClient);
        }
        int producers = Math.max(2, vts / 50);
        for (int i = 0; i < producers; i++) {
            start(factory, this::producer);
            start(factory, this::consumer);
        }
        for (int i = threads.size(); i < vts; i++) {
            final int id = i;
            start(factory, () -> churn(id));
        }
    }

    private synchronized void start(ThreadFactory factory, Runnable body) {
        Thread t = factory.newThread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                if (!stop) {
                    fail(e);
                }
            }
        });
        threads.add(t);
        t.start();
    }

    private void fail(Throwable e) {
        errors.incrementAndGet();
        if (firstError == null) {
            firstError = e;
        }
    }

    Throwable firstError() {
        return firstError;
    }

    private void churn(int id) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        int round = 0;
        while (!stop) {
            round++;
            try {
                switch (r.nextInt(10)) {
                    case 0 -> LockSupport.parkNanos(r.nextInt(50_000, 2_000_000));
                    case 1 -> Thread.sleep(r.nextInt(1, 4));
                    case 2 -> {
                        ReentrantLock l = locks[r.nextInt(locks.length)];
                        l.lock();
                        try {
                            LockSupport.parkNanos(r.nextInt(1_000, 100_000));
                        } finally {
                            l.unlock();
                        }
                    }
                    case 3 -> {
                        Object m = monitors[r.nextInt(monitors.length)];
                        synchronized (m) {
                            Thread.sleep(0, r.nextInt(1, 100_000));
                        }
                    }
                    case 4 -> {
                        Object m = monitors[r.nextInt(monitors.length)];
                        synchronized (m) {
                            if (r.nextBoolean()) {
                                m.wait(r.nextInt(1, 3));
                            } else {
                                m.notifyAll();
                            }
                        }
                    }
                    case 5 -> Thread.yield();
                    case 6 -> {
                        try (Task t = Task.begin("churn")) {
                            try (Region reg = t.region("step")) {
                                t.log("round", Integer.toString(round));
                                Thread.sleep(1);
                            }
                        }
                    }
                    case 7 -> {
                        if (r.nextInt(200) == 0) {
                            SlowInit.initFreshCopy(); // blocks while pinned in a class initializer
                        } else {
                            LoomTrace.log("stress", "vt " + id);
                        }
                    }
                    default -> LockSupport.parkNanos(r.nextInt(100_000, 5_000_000));
                }
                ops.incrementAndGet();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void producer() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        try {
            while (!stop) {
                if (!queue.offer(r.nextInt(), 10, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                ops.incrementAndGet();
                if (r.nextInt(4) == 0) {
                    Thread.sleep(1);
                }
            }
        } catch (InterruptedException e) {
            // stopping
        }
    }

    private void consumer() {
        try {
            while (!stop) {
                if (queue.poll(10, TimeUnit.MILLISECONDS) != null) {
                    ops.incrementAndGet();
                }
            }
        } catch (InterruptedException e) {
            // stopping
        }
    }

    private void socketClient() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        byte[] buf = new byte[256];
        while (!stop) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                s.setSoTimeout(5_000);
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                for (int i = 0; i < 50 && !stop; i++) {
                    int n = r.nextInt(1, buf.length);
                    out.write(buf, 0, n);
                    out.flush();
                    int got = 0;
                    while (got < n) {
                        int k = in.read(buf, got, n - got);
                        if (k < 0) {
                            throw new IOException("echo closed early");
                        }
                        got += k;
                    }
                    ops.incrementAndGet();
                    if (r.nextInt(8) == 0) {
                        Thread.sleep(1);
                    }
                }
            } catch (IOException e) {
                if (!stop) {
                    fail(e);
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void echo(Socket s) {
        byte[] buf = new byte[512];
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        List<Thread> all;
        synchronized (this) {
            all = new ArrayList<>(threads);
        }
        for (Thread t : all) {
            t.interrupt();
        }
        for (Thread t : all) {
            t.join(10_000);
        }
    }
}

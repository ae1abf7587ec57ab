package dev.loomtracer.examples;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * A closed-loop HTTP/1.1 load generator on virtual threads, in the manner of {@code wrk}: each of
 * C connections is a virtual thread with one keep-alive socket that sends a request, reads the
 * whole response, and sends the next, until the time is up.
 *
 * <p>Invariants: it connects to 127.0.0.1 only (there is no host option); it runs for a bounded
 * time (at most {@link #MAX_SECONDS}) and optionally a bounded number of requests, then stops by
 * itself; a server that stops answering cannot hold it past the deadline plus the socket timeout.
 * Latencies are measured from writing a request to reading the last byte of its response (like
 * wrk, it does not correct for coordinated omission).
 */
public final class LoadGenerator {
    public static final int MAX_SECONDS = 600;
    public static final int MAX_CONNECTIONS = 4096;
    private static final int SOCKET_TIMEOUT_MS = 10_000;

    /** What to run. {@code mix}: path → weight. {@code maxRequests} 0 = no bound but time. */
    public record Options(int port, Duration duration, int connections, Map<String, Integer> mix, long maxRequests) {
        public Options {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("--port must be between 1 and 65535, got " + port);
            }
            if (duration.isNegative() || duration.isZero() || duration.toSeconds() > MAX_SECONDS) {
                throw new IllegalArgumentException("--seconds must be between 1 and " + MAX_SECONDS + ", got " + duration.toSeconds());
            }
            if (connections < 1 || connections > MAX_CONNECTIONS) {
                throw new IllegalArgumentException("--connections must be between 1 and " + MAX_CONNECTIONS + ", got " + connections);
            }
            if (mix.isEmpty()) {
                throw new IllegalArgumentException("the mix names no path");
            }
            for (Map.Entry<String, Integer> e : mix.entrySet()) {
                if (!e.getKey().startsWith("/") || e.getKey().chars().anyMatch(c -> c <= ' ' || c >= 127)) {
                    throw new IllegalArgumentException("a path must start with / and hold no spaces or control characters: '" + e.getKey() + "'");
                }
                if (e.getValue() < 1) {
                    throw new IllegalArgumentException("a weight must be at least 1: " + e.getKey() + "=" + e.getValue());
                }
            }
            if (maxRequests < 0) {
                throw new IllegalArgumentException("--max-requests must be 0 (no bound) or more");
            }
            mix = Map.copyOf(mix);
        }
    }

    /** What happened: counts by status (-1 = I/O error), latencies of the 2xx answers. */
    public record Result(Duration elapsed, long requests, Map<Integer, Long> statuses, Histogram latency,
                         List<String> errorSamples) {
        public long ok() {
            long n = 0;
            for (Map.Entry<Integer, Long> e : statuses.entrySet()) {
                if (e.getKey() >= 200 && e.getKey() < 300) {
                    n += e.getValue();
                }
            }
            return n;
        }

        public double throughput() {
            return ok() / (elapsed.toNanos() / 1e9);
        }

        public long errors() {
            return requests - ok();
        }

        /** Latency at quantile q in milliseconds. */
        public double latencyMillis(double q) {
            return latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(q * 100) / 1e6;
        }

        public String report() {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, "%d requests in %.2f s: %.0f req/s (2xx)%n", requests,
                    elapsed.toNanos() / 1e9, throughput()));
            sb.append(String.format(Locale.ROOT, "latency ms: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  mean %.3f%n",
                    latencyMillis(0.5), latencyMillis(0.9), latencyMillis(0.99), latencyMillis(0.999),
                    latency.getMaxValue() / 1e6, latency.getMean() / 1e6));
            sb.append("statuses: ");
            statuses.forEach((k, v) -> sb.append(k == -1 ? "I/O error" : k).append('=').append(v).append(' '));
            sb.append('\n');
            for (String e : errorSamples) {
                sb.append("  e.g. ").append(e).append('\n');
            }
            return sb.toString();
        }
    }

    private LoadGenerator() {}

    static final String USAGE = """
            usage: loomtrace example-server load [options]
              --port P           the server's port on 127.0.0.1 (default 8080)
              --seconds S        how long to run, 1..600 (default 10); it then stops by itself
              --connections C    concurrent keep-alive connections, one virtual thread each (default 32)
              --path /p          request only this path (default /work)
              --mix /a=W,/b=W    request these paths in proportion to the weights, e.g. /work=95,/pinned=5
              --max-requests N   stop after N requests even if time is left (default: no bound)
            """;

    static int main(String[] args, PrintStream out, PrintStream err) {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("load: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        if (o == null) {
            out.print(USAGE);
            return 0;
        }
        out.printf(Locale.ROOT, "load: %d connections to 127.0.0.1:%d for %d s, mix %s%n", o.connections(), o.port(),
                o.duration().toSeconds(), o.mix());
        Result r = run(o);
        out.print(r.report());
        if (r.ok() == 0) {
            err.println("load: no request succeeded (is the server running on 127.0.0.1:" + o.port() + "?)");
            return 1;
        }
        return 0;
    }

    static Options parse(String[] args) {
        int port = 8080, connections = 32;
        long seconds = 10, max = 0;
        Map<String, Integer> mix = new LinkedHashMap<>(Map.of("/work", 1));
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-h", "--help" -> {
                    return null;
                }
                case "--port" -> port = (int) num(args, ++i, a);
                case "--seconds" -> seconds = num(args, ++i, a);
                case "--connections" -> connections = (int) num(args, ++i, a);
                case "--max-requests" -> max = num(args, ++i, a);
                case "--path" -> mix = new LinkedHashMap<>(Map.of(val(args, ++i, a), 1));
                case "--mix" -> mix = parseMix(val(args, ++i, a));
                case "--host" -> throw new IllegalArgumentException("the load generator only targets 127.0.0.1 (no --host)");
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (seconds < 1 || seconds > MAX_SECONDS) {
            throw new IllegalArgumentException("--seconds must be between 1 and " + MAX_SECONDS + ", got " + seconds);
        }
        return new Options(port, Duration.ofSeconds(seconds), connections, mix, max);
    }

    static Map<String, Integer> parseMix(String spec) {
        Map<String, Integer> mix = new LinkedHashMap<>();
        for (String part : spec.split(",")) {
            int eq = part.lastIndexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--mix wants /path=weight,...; got '" + part + "'");
            }
            try {
                mix.merge(part.substring(0, eq).strip(), Integer.parseInt(part.substring(eq + 1).strip()), Integer::sum);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--mix: bad weight in '" + part + "'");
            }
        }
        return mix;
    }

    private static String val(String[] args, int i, String opt) {
        if (i >= args.length) {
            throw new IllegalArgumentException(opt + " needs a value");
        }
        return args[i];
    }

    private static long num(String[] args, int i, String opt) {
        String v = val(args, i, opt);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(opt + " needs a whole number, got '" + v + "'");
        }
    }

    /** Runs the load; returns when every connection has stopped. */
    public static Result run(Options o) {
        return run(o, new java.util.concurrent.CountDownLatch(o.connections()));
    }

    /**
     * Runs the load; returns when every connection has stopped. Each connection counts
     * {@code firstAnswers} down once, when its first request has ended (answered or failed) or when
     * it stops without one, so a caller that awaits it knows the load has reached the server on
     * every connection (a latch of {@code o.connections()} counts).
     */
    public static Result run(Options o, java.util.concurrent.CountDownLatch firstAnswers) {
        String[] paths = weightedPaths(o.mix());
        long start = System.nanoTime();
        long deadline = start + o.duration().toNanos();
        AtomicLong budget = new AtomicLong(o.maxRequests() == 0 ? Long.MAX_VALUE : o.maxRequests());
        Map<Integer, Long> statuses = new ConcurrentHashMap<>();
        List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Worker> workers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < o.connections(); i++) {
            Worker w = new Worker(o.port(), paths, i, deadline, budget, statuses, errors, firstAnswers);
            workers.add(w);
            threads.add(Thread.ofVirtual().name("load-" + i).start(w));
        }
        long hardStop = deadline + Duration.ofMillis(SOCKET_TIMEOUT_MS + 5_000).toNanos();
        for (int i = 0; i < threads.size(); i++) {
            try {
                long left = hardStop - System.nanoTime();
                if (left <= 0 || !threads.get(i).join(Duration.ofNanos(left))) {
                    workers.get(i).abort(); // closes its socket: the blocked read ends
                    threads.get(i).join(Duration.ofSeconds(5));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Duration elapsed = Duration.ofNanos(Math.min(System.nanoTime(), Math.max(deadline, start)) - start);
        Histogram all = new Histogram(3);
        long requests = 0;
        for (Worker w : workers) {
            all.add(w.latency);
            requests += w.requests;
        }
        List<String> samples;
        synchronized (errors) {
            samples = List.copyOf(errors);
        }
        return new Result(elapsed, requests, new TreeMap<>(statuses), all, samples);
    }

    /** Paths repeated by weight (reduced by their gcd), walked round-robin with a per-connection offset. */
    private static String[] weightedPaths(Map<String, Integer> mix) {
        int g = 0;
        for (int w : mix.values()) {
            g = gcd(g, w);
        }
        List<String> list = new ArrayList<>();
        for (Map.Entry<String, Integer> e : new TreeMap<>(mix).entrySet()) {
            for (int i = 0; i < e.getValue() / g; i++) {
                list.add(e.getKey());
            }
        }
        // Interleave so that a heavy path does not come in long runs.
        java.util.Collections.shuffle(list, new java.util.Random(42));
        return list.toArray(String[]::new);
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    private static final class Worker implements Runnable {
        private final int port;
        private final String[] paths;
        private int next;
        private final long deadline;
        private final AtomicLong budget;
        private final Map<Integer, Long> statuses;
        private final List<String> errors;
        final Histogram latency = new Histogram(3);
        long requests;
        private volatile Socket socket;
        private volatile boolean aborted;
        private final Map<String, byte[]> requestBytes = new java.util.HashMap<>();
        private final java.util.concurrent.CountDownLatch firstAnswer;

        Worker(int port, String[] paths, int index, long deadline, AtomicLong budget, Map<Integer, Long> statuses,
               List<String> errors, java.util.concurrent.CountDownLatch firstAnswer) {
            this.firstAnswer = firstAnswer;
            this.port = port;
            this.paths = paths;
            this.next = index % paths.length;
            this.deadline = deadline;
            this.budget = budget;
            this.statuses = statuses;
            this.errors = errors;
        }

        void abort() {
            aborted = true;
            closeQuietly(socket);
        }

        @Override
        public void run() {
            try {
                load();
            } finally {
                if (requests == 0) {
                    firstAnswer.countDown(); // stopped before any request ended
                }
            }
        }

        private void load() {
            Socket s = null;
            InputStream in = null;
            OutputStream out = null;
            while (!aborted && System.nanoTime() < deadline && budget.getAndDecrement() > 0) {
                String path = paths[next];
                next = (next + 1) % paths.length;
                long t0 = System.nanoTime();
                try {
                    if (s == null) {
                        s = new Socket();
                        s.setTcpNoDelay(true);
                        s.setSoTimeout(SOCKET_TIMEOUT_MS);
                        socket = s;
                        s.connect(new InetSocketAddress("127.0.0.1", port), SOCKET_TIMEOUT_MS);
                        in = new BufferedInputStream(s.getInputStream(), 8192);
                        out = s.getOutputStream();
                        t0 = System.nanoTime();
                    }
                    out.write(requestBytes.computeIfAbsent(path, p ->
                            ("GET " + p + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUser-Agent: loomtrace-load\r\n\r\n")
                                    .getBytes(StandardCharsets.US_ASCII)));
                    out.flush();
                    boolean keepAlive = readResponse(in);
                    long t1 = System.nanoTime();
                    if (++requests == 1) {
                        firstAnswer.countDown();
                    }
                    if (lastStatus >= 200 && lastStatus < 300) {
                        latency.recordValue(Math.max(0, t1 - t0));
                    } else if (errors.size() < 5) {
                        errors.add(path + " -> " + lastStatus);
                    }
                    statuses.merge(lastStatus, 1L, Long::sum);
                    if (!keepAlive) {
                        closeQuietly(s);
                        s = null;
                    }
                } catch (IOException e) {
                    if (++requests == 1) {
                        firstAnswer.countDown();
                    }
                    statuses.merge(-1, 1L, Long::sum);
                    if (!aborted && errors.size() < 5) {
                        errors.add(path + " -> " + e);
                    }
                    closeQuietly(s);
                    s = null;
                    try {
                        Thread.sleep(10); // a server that refuses connections must not make this spin
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
            closeQuietly(s);
        }

        private int lastStatus;

        /** Reads one response; returns whether the connection may be reused. */
        private boolean readResponse(InputStream in) throws IOException {
            String status = line(in);
            if (!status.startsWith("HTTP/1.")) {
                throw new IOException("not an HTTP response: " + status);
            }
            lastStatus = Integer.parseInt(status.substring(9, 12));
            long length = -1;
            boolean chunked = false, close = status.startsWith("HTTP/1.0");
            for (String h; !(h = line(in)).isEmpty(); ) {
                int colon = h.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String name = h.substring(0, colon).strip().toLowerCase(Locale.ROOT);
                String value = h.substring(colon + 1).strip();
                switch (name) {
                    case "content-length" -> length = Long.parseLong(value);
                    case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                    case "connection" -> close = value.equalsIgnoreCase("close");
                    default -> { }
                }
            }
            if (chunked) {
                for (long n; (n = Long.parseLong(line(in).split(";")[0].strip(), 16)) > 0; ) {
                    skip(in, n);
                    line(in);
                }
                while (!line(in).isEmpty()) {
                    // trailers
                }
            } else if (length >= 0) {
                skip(in, length);
            } else {
                while (in.read() >= 0) {
                    // body until the server closes
                }
                return false;
            }
            return !close;
        }

        private final StringBuilder sb = new StringBuilder();

        private String line(InputStream in) throws IOException {
            sb.setLength(0);
            for (int c; (c = in.read()) != '\n'; ) {
                if (c < 0) {
                    throw new EOFException("the server closed the connection");
                }
                if (c != '\r') {
                    sb.append((char) c);
                }
            }
            return sb.toString();
        }

        private static void skip(InputStream in, long n) throws IOException {
            while (n > 0) {
                long k = in.skip(n);
                if (k <= 0) {
                    if (in.read() < 0) {
                        throw new EOFException("the server closed the connection mid-body");
                    }
                    k = 1;
                }
                n -= k;
            }
        }

        private static void closeQuietly(Socket s) {
            if (s != null) {
                try {
                    s.close();
                } catch (IOException e) {
                    // closing
                }
            }
        }
    }
}

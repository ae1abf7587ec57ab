package dev.loomtracer.debug;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The debug endpoints on the JDK's own HTTP server ({@code com.sun.net.httpserver}), for any JVM,
 * whatever framework (if any) the application uses: what the agent's {@code http=} option starts.
 *
 * <p>Invariant: it runs on daemon platform threads of its own (never virtual threads, whose
 * scheduling it would trace, and never the application's; daemons, so the program's JVM still
 * exits when its main method ends), a few of them, so a streamed trace of N seconds never stops a
 * second request from getting its 409 at once.
 */
public final class DebugHttpServer implements AutoCloseable {
    private static final int THREADS = 4;

    private final HttpServer server;
    private final ExecutorService threads;

    private DebugHttpServer(HttpServer server, ExecutorService threads) {
        this.server = server;
        this.threads = threads;
    }

    /** Serves {@code endpoints} under /debug on {@code address} (port 0: any free port). */
    public static DebugHttpServer start(InetSocketAddress address, DebugEndpoints endpoints) throws IOException {
        AtomicInteger n = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(THREADS,
                r -> Thread.ofPlatform().daemon().name("loomtrace-http-" + n.incrementAndGet()).unstarted(r));
        HttpServer server = HttpServer.create(address, 16);
        server.setExecutor(threads);
        server.createContext("/debug", exchange -> serve(exchange, endpoints));
        // The server's dispatcher thread inherits daemon status from the thread that starts it: a
        // non-daemon one would keep the program's JVM alive after its main method ends.
        Thread starter = Thread.ofPlatform().daemon().name("loomtrace-http-start").start(server::start);
        try {
            starter.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.stop(0);
            threads.shutdownNow();
            throw new java.io.InterruptedIOException("interrupted while starting the debug endpoints");
        }
        return new DebugHttpServer(server, threads);
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** The base URI, e.g. http://127.0.0.1:6060 (IPv6 hosts in brackets). */
    public String uri() {
        InetSocketAddress a = server.getAddress();
        String h = a.getAddress().getHostAddress();
        return "http://" + (h.contains(":") ? "[" + h + "]" : h) + ":" + a.getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    private static void serve(HttpExchange exchange, DebugEndpoints endpoints) {
        Exchange ex = new Exchange(exchange);
        try {
            endpoints.handle(ex);
        } catch (IOException | RuntimeException e) {
            if (!ex.started) {
                try {
                    ex.text(500, "500 Internal Server Error: " + e + "\n");
                } catch (IOException ignored) {
                    // the client is gone
                }
            }
        } finally {
            exchange.close();
        }
    }

    private static final class Exchange implements DebugExchange {
        private final HttpExchange x;
        private boolean started;

        Exchange(HttpExchange x) {
            this.x = x;
        }

        @Override
        public String method() {
            return x.getRequestMethod();
        }

        @Override
        public String path() {
            return x.getRequestURI().getPath();
        }

        @Override
        public String query(String name) {
            String q = x.getRequestURI().getRawQuery();
            if (q == null) {
                return null;
            }
            for (String pair : q.split("&")) {
                int eq = pair.indexOf('=');
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                if (k.equals(name)) {
                    return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                }
            }
            return null;
        }

        @Override
        public String header(String name) {
            return x.getRequestHeaders().getFirst(name);
        }

        @Override
        public boolean fromLoopback() {
            return x.getRemoteAddress().getAddress() != null && x.getRemoteAddress().getAddress().isLoopbackAddress();
        }

        @Override
        public String client() {
            return x.getRemoteAddress().getAddress().getHostAddress() + ":" + x.getRemoteAddress().getPort();
        }

        @Override
        public void responseHeader(String name, String value) {
            x.getResponseHeaders().set(name, value);
        }

        @Override
        public void text(int status, String body) throws IOException {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            started = true;
            x.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            x.sendResponseHeaders(status, b.length);
            try (OutputStream out = x.getResponseBody()) {
                out.write(b);
            }
        }

        @Override
        public OutputStream stream(String contentType, String filename) throws IOException {
            started = true;
            x.getResponseHeaders().set("Content-Type", contentType);
            x.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            if (filename != null) {
                x.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"" + filename + "\"");
            }
            x.sendResponseHeaders(200, 0); // chunked
            OutputStream body = x.getResponseBody();
            body.flush(); // the status goes out now: the client knows the trace has begun
            return body;
        }
    }
}

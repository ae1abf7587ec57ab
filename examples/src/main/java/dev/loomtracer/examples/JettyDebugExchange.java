package dev.loomtracer.examples;

import dev.loomtracer.debug.DebugEndpoints;
import dev.loomtracer.debug.DebugExchange;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * A Jetty request to the debug endpoints, adapted to {@link DebugExchange}: the endpoints' rules
 * live once, in {@link DebugEndpoints} (module loom-tracer), which the Loom Tracer agent's own
 * HTTP server serves too.
 *
 * <p>Invariant: {@link #handle} completes the callback exactly once.
 */
final class JettyDebugExchange implements DebugExchange {
    private final Request req;
    private final Response res;
    private final Callback cb;
    private boolean completed;
    private OutputStream body;
    private Fields query;

    private JettyDebugExchange(Request req, Response res, Callback cb) {
        this.req = req;
        this.res = res;
        this.cb = cb;
    }

    /** Serves one /debug request with {@code endpoints}; always completes {@code cb}. */
    static void handle(DebugEndpoints endpoints, Request req, Response res, Callback cb) {
        JettyDebugExchange x = new JettyDebugExchange(req, res, cb);
        try {
            endpoints.handle(x);
            if (x.body != null) {
                x.body.close(); // the last write: completes the response
                cb.succeeded();
            } else if (!x.completed) {
                Http.text(res, cb, 500, "500 Internal Server Error: no response\n");
            }
        } catch (IOException | RuntimeException e) {
            if (x.body == null && !x.completed) {
                Http.text(res, cb, 500, "500 Internal Server Error: " + e + "\n");
            } else if (x.body != null) {
                System.err.println("example-server: " + req.getHttpURI().getPath() + " ended early: " + e);
                cb.failed(e);
            }
        }
    }

    @Override
    public String method() {
        return req.getMethod();
    }

    @Override
    public String path() {
        return Request.getPathInContext(req);
    }

    @Override
    public String query(String name) {
        if (query == null) {
            query = Request.extractQueryParameters(req);
        }
        return query.getValue(name);
    }

    @Override
    public String header(String name) {
        return req.getHeaders().get(name);
    }

    @Override
    public boolean fromLoopback() {
        SocketAddress a = req.getConnectionMetaData().getRemoteSocketAddress();
        return a instanceof InetSocketAddress i && i.getAddress() != null && i.getAddress().isLoopbackAddress();
    }

    @Override
    public String client() {
        SocketAddress a = req.getConnectionMetaData().getRemoteSocketAddress();
        return a instanceof InetSocketAddress i ? i.getAddress().getHostAddress() + ":" + i.getPort() : String.valueOf(a);
    }

    @Override
    public void responseHeader(String name, String value) {
        res.getHeaders().put(name, value);
    }

    @Override
    public void text(int status, String text) {
        completed = true;
        Http.text(res, cb, status, text);
    }

    @Override
    public OutputStream stream(String contentType, String filename) {
        res.setStatus(200);
        res.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        if (filename != null) {
            res.getHeaders().put(HttpHeader.CONTENT_DISPOSITION, "attachment; filename=\"" + filename + "\"");
        }
        res.getHeaders().put("X-Content-Type-Options", "nosniff");
        body = Content.Sink.asOutputStream(res);
        return body;
    }
}

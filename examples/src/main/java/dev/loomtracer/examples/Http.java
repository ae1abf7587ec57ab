package dev.loomtracer.examples;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Small response helpers for Jetty's core handler API. */
final class Http {
    private Http() {}

    /** Sends a complete text/plain response (with a Content-Length) and completes {@code cb}. */
    static void text(Response res, Callback cb, int status, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        res.setStatus(status);
        res.getHeaders().remove(HttpHeader.CONTENT_DISPOSITION);
        res.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        res.getHeaders().put(HttpHeader.CONTENT_LENGTH, b.length);
        res.write(true, ByteBuffer.wrap(b), cb);
    }
}

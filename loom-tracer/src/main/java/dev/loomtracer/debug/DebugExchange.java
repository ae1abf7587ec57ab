package dev.loomtracer.debug;

import java.io.IOException;
import java.io.OutputStream;

/**
 * One HTTP request to the debug endpoints and its response, as any HTTP server presents it:
 * {@link DebugEndpoints} holds the endpoints' rules once, and each server (the JDK's
 * {@code com.sun.net.httpserver} in {@link DebugHttpServer}, Jetty in the example server) adapts
 * its own request and response to this.
 *
 * <p>Invariant: a response is either one {@link #text} or one {@link #stream}, never both.
 */
public interface DebugExchange {
    /** GET, POST, ... */
    String method();

    /** The path, e.g. {@code /debug/trace}. */
    String path();

    /** The first value of a query parameter, or null. */
    String query(String name);

    /** A request header, or null. */
    String header(String name);

    /** True if the client connected from a loopback address. */
    boolean fromLoopback();

    /** The client, for messages (address and port). */
    String client();

    /** Sets a response header; before the response starts. */
    void responseHeader(String name, String value);

    /** Sends a complete text/plain response. */
    void text(int status, String body) throws IOException;

    /**
     * Starts a 200 response of unknown length (an attachment named {@code filename}) and returns
     * its body; the server completes the response when the endpoint returns.
     */
    OutputStream stream(String contentType, String filename) throws IOException;
}

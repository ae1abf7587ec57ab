package dev.loomtracer.debug;

import dev.loomtracer.LoomTrace;
import dev.loomtracer.testing.CheckedTrace;
import dev.loomtracer.testing.NonLoopback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Who the debug endpoints serve (DebugEndpoints' access rule, README "Endpoints without code"),
 * over real connections from a client beyond loopback: this machine's non-loopback address
 * ({@link NonLoopback}), the connection bound to it, so the server sees that address.
 *
 * <p>The servers that ship (the agent's {@code http=}, the example server) refuse to listen
 * beyond loopback without a token ({@link DebugConfig#checkAccess}); the 403 is the endpoints' own
 * rule for any server that carries them without that check (here {@link DebugHttpServer} bound to
 * every address), so that a loopback-only default holds even then.
 */
class DebugAccessTest {
    @TempDir
    Path tmp;

    private final InetAddress beyond = NonLoopback.address();

    @Test
    void withoutATokenAClientBeyondLoopbackGets403AndNothingStarts() throws Exception {
        DebugEndpoints endpoints = new DebugEndpoints(DebugConfig.defaults(), "DebugAccessTest", null);
        try (DebugHttpServer server = DebugHttpServer.start(new InetSocketAddress(0), endpoints)) {
            int port = server.address().getPort();
            HttpClient fromBeyond = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).localAddress(beyond).build();
            String base = "http://" + NonLoopback.uriHost(beyond) + ":" + port;
            for (String[] r : new String[][] {{"GET", "/debug/trace?seconds=1"}, {"POST", "/debug/flight/start"},
                    {"GET", "/debug/flight"}, {"GET", "/debug/"}}) {
                HttpResponse<String> refused = send(fromBeyond, r[0], base + r[1], null);
                assertEquals(403, refused.statusCode(), r[0] + " " + r[1] + " from " + beyond + ": " + refused.body());
                assertEquals("403 Forbidden: without a debug token, /debug is served to loopback clients only\n", refused.body());
                assertFalse(LoomTrace.isRunning(), "a refused request starts nothing");
            }
            // The same server serves a loopback client: the rule is the client's address, not the server's.
            HttpClient fromLoopback = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).localAddress(InetAddress.getLoopbackAddress()).build();
            HttpResponse<String> served = send(fromLoopback, "GET", "http://127.0.0.1:" + port + "/debug/flight", null);
            assertEquals(409, served.statusCode(), "a loopback client gets through (no flight recorder runs): " + served.body());
        }
    }

    /**
     * With a token read from its file (the agent's {@code http-token-file=}, the example server's
     * {@code --debug-token-file}: {@link DebugConfig#readToken}), a client beyond loopback gets 401
     * without it or with another, and a valid trace with it.
     */
    @Test
    void withTheTokenFromItsFileAClientBeyondLoopbackIsServed() throws Exception {
        Path file = tmp.resolve("debug.token");
        Files.writeString(file, "  file-token-0123456789abcdef  \nsecond line ignored\n");
        String token = DebugConfig.readToken(file);
        assertEquals("file-token-0123456789abcdef", token);
        DebugConfig.checkAccess(beyond.getHostAddress(), token, "test"); // what the shipped servers require
        DebugEndpoints endpoints = new DebugEndpoints(DebugConfig.defaults().withToken(token), "DebugAccessTest", null);
        try (DebugHttpServer server = DebugHttpServer.start(new InetSocketAddress(beyond, 0), endpoints)) {
            HttpClient fromBeyond = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).localAddress(beyond).build();
            String base = "http://" + NonLoopback.uriHost(beyond) + ":" + server.address().getPort();
            for (String auth : new String[] {null, "Bearer " + token + "x", "Bearer second line ignored", "Basic " + token}) {
                HttpResponse<String> r = send(fromBeyond, "GET", base + "/debug/trace?seconds=1", auth);
                assertEquals(401, r.statusCode(), "Authorization: " + auth + " -> " + r.body());
                assertFalse(LoomTrace.isRunning(), "a refused request starts nothing");
            }
            Path trace = tmp.resolve("beyond.trace");
            HttpResponse<Path> ok = fromBeyond.send(HttpRequest.newBuilder(URI.create(base + "/debug/trace?seconds=0.2"))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofFile(trace));
            assertEquals(200, ok.statusCode(), () -> "with the token: " + read(trace));
            CheckedTrace.of(trace); // both judges
        }
        assertFalse(LoomTrace.isRunning());
    }

    private static HttpResponse<String> send(HttpClient c, String method, String uri, String auth) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri)).method(method, HttpRequest.BodyPublishers.noBody());
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return c.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (Exception e) {
            return e.toString();
        }
    }
}

package dev.loomtracer.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real headless Chromium for browser tests, driven through the Chrome DevTools Protocol over the
 * JDK's own WebSocket client (https://chromedevtools.github.io/devtools-protocol/): opens a local
 * file, collects every script error (uncaught exceptions, {@code console.error}, error log entries
 * such as a failed resource load) and every network request the page makes, evaluates JavaScript
 * to read the rendered DOM, and writes PNG screenshots.
 *
 * <p>Invariant: a browser test never skips. The binary is $LOOMTRACE_CHROMIUM, else
 * /usr/bin/chromium, else what {@code scripts/ensure-chromium.sh} installs and prints; if none can
 * be had, {@link #launch()} fails with an {@link AssertionError} saying so. Chromium runs with a
 * fresh profile directory and without background networking (this machine's network is closed),
 * and is killed on {@link #close()}. Its output goes to files, never to pipes.
 */
public final class Chromium implements AutoCloseable {
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static volatile Path binary;

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<Map<String, Object>>> pending = new ConcurrentHashMap<>();
    private final List<Map<String, Object>> events = new ArrayList<>(); // guarded by itself

    /** The chromium binary (see the class comment). */
    public static synchronized Path binary() {
        if (binary != null) {
            return binary;
        }
        String env = System.getenv("LOOMTRACE_CHROMIUM");
        if (env != null && !env.isBlank() && Files.isExecutable(Path.of(env))) {
            return binary = Path.of(env);
        }
        if (Files.isExecutable(Path.of("/usr/bin/chromium"))) {
            return binary = Path.of("/usr/bin/chromium");
        }
        Path script = null;
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isExecutable(d.resolve("scripts/ensure-chromium.sh"))) {
                script = d.resolve("scripts/ensure-chromium.sh");
                break;
            }
        }
        if (script == null) {
            throw new AssertionError("no Chromium: $LOOMTRACE_CHROMIUM unset, no /usr/bin/chromium, and no "
                    + "scripts/ensure-chromium.sh above " + Path.of("").toAbsolutePath() + " to install it");
        }
        try {
            Path out = Files.createTempFile("ensure-chromium", ".out");
            Process p = new ProcessBuilder(script.toString()).redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            if (!p.waitFor(15, TimeUnit.MINUTES) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new AssertionError(script + " could not provide Chromium (see its messages above)");
            }
            Path b = Path.of(Files.readString(out).strip());
            Files.deleteIfExists(out);
            return binary = b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while installing Chromium", e);
        }
    }

    /** Starts a headless Chromium with a fresh profile and connects to it. */
    public static Chromium launch() throws IOException {
        Path profile = Files.createTempDirectory("loomtrace-chromium");
        List<String> cmd = List.of(binary().toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-extensions", "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
                "--user-data-dir=" + profile, "--remote-debugging-port=0", "--window-size=1280,900", "about:blank");
        Process p = new ProcessBuilder(cmd).redirectOutput(profile.resolve("chromium.out").toFile())
                .redirectError(profile.resolve("chromium.err").toFile()).start();
        try {
            return new Chromium(p, profile);
        } catch (IOException | RuntimeException | Error e) {
            p.destroyForcibly();
            throw e;
        }
    }

    private Chromium(Process process, Path profile) throws IOException {
        this.process = process;
        this.profile = profile;
        // Chromium writes the port it chose and the browser target's path into DevToolsActivePort.
        Path portFile = profile.resolve("DevToolsActivePort");
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        List<String> lines = List.of();
        while (lines.size() < 2) {
            if (!process.isAlive()) {
                throw new AssertionError("chromium exited (" + process.exitValue() + ") before listening:\n" + log());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("chromium did not open its DevTools port within " + START_TIMEOUT + ":\n" + log());
            }
            if (Files.exists(portFile)) {
                lines = Files.readAllLines(portFile);
            }
            if (lines.size() < 2) {
                try {
                    Thread.sleep(50); // polling a file another process writes: a liveness wait
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
        }
        URI uri = URI.create("ws://127.0.0.1:" + lines.get(0).strip() + lines.get(1).strip());
        try {
            this.socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri, new Listener())
                    .get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new IOException("cannot connect to chromium at " + uri + ": " + e + "\n" + log(), e);
        }
    }

    /** The end of Chromium's own stderr, for failure messages. */
    public String log() {
        try {
            Path err = profile.resolve("chromium.err");
            if (!Files.exists(err)) {
                return "";
            }
            List<String> l = Files.readAllLines(err);
            return String.join("\n", l.subList(Math.max(0, l.size() - 30), l.size()));
        } catch (IOException e) {
            return "(cannot read chromium's stderr: " + e + ")";
        }
    }

    /**
     * Opens {@code file} in a new tab at the given viewport width and waits until it has loaded
     * and painted twice. Errors and requests are recorded from before the navigation starts.
     */
    public Page open(Path file, int width, int height) {
        String target = (String) Json.at(send(null, "Target.createTarget", "{\"url\":\"about:blank\"}"), "targetId");
        String session = (String) Json.at(send(null, "Target.attachToTarget",
                "{\"targetId\":" + Json.quote(target) + ",\"flatten\":true}"), "sessionId");
        Page page = new Page(session);
        send(session, "Runtime.enable", "{}");
        send(session, "Log.enable", "{}");
        send(session, "Network.enable", "{}");
        send(session, "Page.enable", "{}");
        send(session, "Emulation.setDeviceMetricsOverride",
                "{\"width\":" + width + ",\"height\":" + height + ",\"deviceScaleFactor\":1,\"mobile\":false}");
        String url = file.toAbsolutePath().toUri().toString();
        Map<String, Object> nav = send(session, "Page.navigate", "{\"url\":" + Json.quote(url) + "}");
        if (Json.at(nav, "errorText") != null) {
            throw new AssertionError("chromium could not open " + url + ": " + Json.at(nav, "errorText"));
        }
        awaitEvent(session, "Page.loadEventFired");
        page.eval("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))");
        return page;
    }

    /** A tab: evaluate, read errors and requests, take screenshots. */
    public final class Page {
        private final String session;

        private Page(String session) {
            this.session = session;
        }

        /** Evaluates a JavaScript expression (awaiting a promise) and returns its value as JSON-decoded Java objects. */
        public Object eval(String expression) {
            Map<String, Object> r = send(session, "Runtime.evaluate", "{\"expression\":" + Json.quote(expression)
                    + ",\"returnByValue\":true,\"awaitPromise\":true}");
            if (Json.at(r, "exceptionDetails") != null) {
                throw new AssertionError("JavaScript failed: " + expression + "\n  "
                        + describe(Json.at(r, "exceptionDetails")));
            }
            return Json.at(r, "result", "value");
        }

        /** Every script error so far: uncaught exceptions, console.error/assert, error log entries. */
        public List<String> errors() {
            List<String> out = new ArrayList<>();
            for (Map<String, Object> e : eventsOf(session)) {
                switch ((String) e.get("method")) {
                    case "Runtime.exceptionThrown" -> out.add("exception: " + describe(Json.at(e, "params", "exceptionDetails")));
                    case "Runtime.consoleAPICalled" -> {
                        Object type = Json.at(e, "params", "type");
                        if ("error".equals(type) || "assert".equals(type)) {
                            out.add("console." + type + ": " + Json.at(e, "params", "args"));
                        }
                    }
                    case "Log.entryAdded" -> {
                        if ("error".equals(Json.at(e, "params", "entry", "level"))) {
                            out.add("log: " + Json.at(e, "params", "entry", "text") + " " + Json.at(e, "params", "entry", "url"));
                        }
                    }
                    default -> { }
                }
            }
            return out;
        }

        /** The URLs of every request the page made (the page itself included). */
        public List<String> requests() {
            List<String> out = new ArrayList<>();
            for (Map<String, Object> e : eventsOf(session)) {
                if ("Network.requestWillBeSent".equals(e.get("method"))) {
                    out.add(String.valueOf(Json.at(e, "params", "request", "url")));
                }
            }
            return out;
        }

        /** A PNG of the element that {@code cssSelector} selects (its whole box, beyond the viewport). */
        public void screenshot(String cssSelector, Path png) throws IOException {
            Object rect = eval("(() => { const e = document.querySelector(" + Json.quote(cssSelector) + ");"
                    + " if (!e) return null; const r = e.getBoundingClientRect();"
                    + " return [r.left + scrollX, r.top + scrollY, r.width, r.height]; })()");
            if (!(rect instanceof List<?> r)) {
                throw new AssertionError("nothing matches " + cssSelector + " to take a screenshot of");
            }
            String clip = "{\"x\":" + r.get(0) + ",\"y\":" + r.get(1) + ",\"width\":" + r.get(2) + ",\"height\":"
                    + r.get(3) + ",\"scale\":1}";
            Map<String, Object> shot = send(session, "Page.captureScreenshot",
                    "{\"format\":\"png\",\"captureBeyondViewport\":true,\"clip\":" + clip + "}");
            Files.createDirectories(png.toAbsolutePath().getParent());
            Files.write(png, Base64.getDecoder().decode((String) shot.get("data")));
        }
    }

    private static String describe(Object exceptionDetails) {
        Object desc = Json.at(exceptionDetails, "exception", "description");
        return (desc != null ? desc : Json.at(exceptionDetails, "text")) + " (line "
                + Json.at(exceptionDetails, "lineNumber") + ")";
    }

    private List<Map<String, Object>> eventsOf(String session) {
        synchronized (events) {
            return events.stream().filter(e -> session.equals(e.get("sessionId"))).toList();
        }
    }

    private void awaitEvent(String session, String method) {
        long deadline = System.nanoTime() + COMMAND_TIMEOUT.toNanos();
        synchronized (events) {
            while (events.stream().noneMatch(e -> session.equals(e.get("sessionId")) && method.equals(e.get("method")))) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !process.isAlive()) {
                    throw new AssertionError("no " + method + " from chromium within " + COMMAND_TIMEOUT + "\n" + log());
                }
                try {
                    events.wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
        }
    }

    /** Sends a command (to the browser if session is null) and returns its result, or fails with its error. */
    private Map<String, Object> send(String session, String method, String paramsJson) {
        int id = ids.incrementAndGet();
        CompletableFuture<Map<String, Object>> f = new CompletableFuture<>();
        pending.put(id, f);
        String msg = "{\"id\":" + id + ",\"method\":" + Json.quote(method) + ",\"params\":" + paramsJson
                + (session == null ? "" : ",\"sessionId\":" + Json.quote(session)) + "}";
        try {
            socket.sendText(msg, true).get(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            Map<String, Object> reply = f.get(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (reply.get("error") != null) {
                throw new AssertionError("chromium refused " + method + ": " + reply.get("error"));
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> result = (Map<String, Object>) reply.get("result");
            return result;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted during " + method, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError(method + " got no answer from chromium: " + e + "\n" + log(), e);
        } finally {
            pending.remove(id);
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                @SuppressWarnings("unchecked")
                Map<String, Object> m = (Map<String, Object>) Json.parse(text);
                if (m.get("id") instanceof Long id) {
                    CompletableFuture<Map<String, Object>> f = pending.get(id.intValue());
                    if (f != null) {
                        f.complete(m);
                    }
                } else {
                    synchronized (events) {
                        events.add(m);
                        events.notifyAll();
                    }
                }
            }
            ws.request(1);
            return null;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            socket.abort();
        } finally {
            // Chromium's helper processes (network service, renderers) outlive the browser process
            // by a moment and keep writing into the profile: end them too before deleting it.
            java.util.List<ProcessHandle> helpers = process.descendants().toList();
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
                for (ProcessHandle h : helpers) {
                    h.destroyForcibly();
                    h.onExit().get(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // a helper that does not end in time: the profile's removal below copes
            }
            // The profile is a temporary directory: a file vanishing or appearing while it is removed
            // (seen on a clean clone: "Network Persistent State" renamed under the walk) is retried,
            // and what still cannot go is left to the OS's temporary directory, never a test failure.
            for (int attempt = 0; attempt < 3 && Files.exists(profile); attempt++) {
                try (Stream<Path> files = Files.walk(profile)) {
                    files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                } catch (java.io.UncheckedIOException | IOException e) {
                    // retried
                }
            }
        }
    }
}

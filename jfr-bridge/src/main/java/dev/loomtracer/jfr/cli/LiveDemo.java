package dev.loomtracer.jfr.cli;

import dev.loomtracer.cli.Demo;
import dev.loomtracer.jfr.live.AutoBridge;
import dev.loomtracer.jfr.live.JfrBridge;

import jdk.jfr.Recording;

import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code LiveDemo [-o FILE.jfr] [--requests N]}: the live bridge end to end. Installs
 * {@link AutoBridge}, records JFR with Loom Tracer's settings while {@code loomtrace demo}'s toy
 * request server ({@link Demo#workload}: a shared lock, a queue hand-off to a worker, sleeps,
 * tasks, regions, logs) runs on virtual threads, and writes the recording. With the capture agent
 * ({@code -javaagent:carrier-hooks-...-agent.jar}) the recording holds the virtual threads'
 * scheduling (runs, parks, unparks); without it, the tasks, regions and logs.
 *
 * <p>If a recording is already running with the settings (e.g.
 * {@code -XX:StartFlightRecording:settings=default,settings=/path/loomtracer.jfc,filename=...}), it uses that one
 * and writes nothing itself.
 */
public final class LiveDemo {
    private LiveDemo() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of("live-demo.jfr");
        int requests = 500;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-o" -> out = Path.of(args[++i]);
                case "--requests" -> requests = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: LiveDemo [-o FILE.jfr] [--requests N]");
                    System.exit(2);
                }
            }
        }
        try (AutoBridge auto = AutoBridge.install()) {
            boolean external = jdk.jfr.FlightRecorder.isInitialized()
                    && !jdk.jfr.FlightRecorder.getFlightRecorder().getRecordings().isEmpty();
            Recording own = null;
            if (!external) {
                own = new Recording(JfrBridge.settings());
                own.start();
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (auto.bridge() == null && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            System.out.println("tracing into JFR: " + (auto.bridge() != null));
            Demo.workload(requests);
            if (own != null) {
                own.stop(); // the end-of-chunk hook flushes the bridge first
                own.dump(out);
                own.close();
                System.out.println("wrote " + out + "; jfr summary " + out);
            }
            JfrBridge b = auto.bridge();
            if (b != null) {
                System.out.println("bridge: " + b.stats());
            }
        }
    }
}

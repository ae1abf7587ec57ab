package dev.loomtracer.hooks.agent;

import dev.loomtracer.FlightRecorder;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** The flight recorder's JMX operations (see {@link FlightControlMBean}). */
public final class FlightControl implements FlightControlMBean {
    static final String NAME = "dev.loomtracer:type=FlightRecorder";

    private final FlightRecorder recorder;
    private final Path output;

    FlightControl(FlightRecorder recorder, Path output) {
        this.recorder = recorder;
        this.output = output;
    }

    @Override
    public long getKeptBytes() {
        return recorder.keptBytes();
    }

    @Override
    public String getOutput() {
        return output.toAbsolutePath().toString();
    }

    @Override
    public String dump(String file) throws IOException {
        Path p = Path.of(file);
        long n;
        try (OutputStream out = Files.newOutputStream(p)) {
            n = recorder.writeTo(out);
        }
        return "wrote " + n + " bytes of trace to " + p.toAbsolutePath();
    }
}

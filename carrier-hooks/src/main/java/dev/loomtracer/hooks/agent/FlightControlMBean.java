package dev.loomtracer.hooks.agent;

import java.io.IOException;

/**
 * JMX view of the agent's flight recorder, registered as {@code dev.loomtracer:type=FlightRecorder}
 * when the agent runs with the {@code flight} option (jconsole, jcmd-less tooling, or
 * {@code JMX.newMBeanProxy}).
 */
public interface FlightControlMBean {
    /** Bytes of trace currently kept in memory. */
    long getKeptBytes();

    /** The file the window is written to at exit. */
    String getOutput();

    /** Writes the window, up to now, to {@code file} (a complete trace); returns a one-line summary. */
    String dump(String file) throws IOException;
}

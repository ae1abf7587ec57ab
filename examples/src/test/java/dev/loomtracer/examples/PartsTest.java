package dev.loomtracer.examples;

import dev.loomtracer.debug.DebugEndpoints;

import dev.loomtracer.TraceOptions;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server's configuration rules, the seconds parameter, the load generator's options, the histogram. */
class PartsTest {
    @Test
    void debugBeyondLoopbackNeedsAToken() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.parse(new String[] {"--host", "0.0.0.0", "--debug"}, Map.of()));
        assertTrue(e.getMessage().contains("token"), e.getMessage());
        // With a token from the environment it is accepted (nothing is bound here).
        ServerConfig c = ServerConfig.parse(new String[] {"--host", "0.0.0.0", "--debug"},
                Map.of(ServerConfig.TOKEN_ENV, "0123456789abcdef0123"));
        assertEquals("0123456789abcdef0123", c.debugToken());
        // Beyond loopback without --debug needs no token: there is nothing to protect.
        ServerConfig.parse(new String[] {"--host", "0.0.0.0"}, Map.of());
        // Loopback with --debug needs none.
        ServerConfig d = ServerConfig.parse(new String[] {"--port", "0", "--debug"}, Map.of());
        assertEquals(ServerConfig.Scheduler.DEFAULT, d.scheduler());
        assertEquals(ServerConfig.Scheduler.TRACING,
                ServerConfig.parse(new String[] {"--scheduler", "tracing"}, Map.of()).scheduler());
        assertThrows(IllegalArgumentException.class, () -> ServerConfig.parse(new String[] {"--scheduler", "fast"}, Map.of()));
        assertEquals("127.0.0.1", d.host());
    }

    @Test
    void tokensAreNeverTakenFromTheCommandLineAndMustBeLongEnough() {
        assertThrows(IllegalArgumentException.class, () -> ServerConfig.parse(new String[] {"--debug-token", "x"}, Map.of()));
        assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.parse(new String[] {"--debug"}, Map.of(ServerConfig.TOKEN_ENV, "short")));
        assertThrows(IllegalArgumentException.class, () -> ServerConfig.parse(new String[] {"--flight"}, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> ServerConfig.parse(new String[] {"--port", "70000"}, Map.of()));
    }

    @Test
    void secondsParameter() {
        assertEquals(1.0, DebugEndpoints.seconds(null, 60));
        assertEquals(0.5, DebugEndpoints.seconds("0.5", 60));
        assertEquals(60.0, DebugEndpoints.seconds("60", 60));
        for (String bad : new String[] {"", "x", "0", "-3", "NaN", "Infinity", "60.5", "1e3"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DebugEndpoints.seconds(bad, 60), bad);
            assertTrue(e.getMessage().startsWith("seconds must"), e.getMessage());
        }
        assertEquals(TraceOptions.Stacks.OFF, DebugEndpoints.stacks(null));
        assertEquals(TraceOptions.Stacks.ON_BLOCK, DebugEndpoints.stacks("on-block"));
        assertEquals(TraceOptions.Stacks.ALL, DebugEndpoints.stacks("all"));
        assertThrows(IllegalArgumentException.class, () -> DebugEndpoints.stacks("yes"));
    }

    @Test
    void loadGeneratorIsBoundedAndLoopbackOnly() {
        assertThrows(IllegalArgumentException.class, () -> LoadGenerator.parse(new String[] {"--host", "example.org"}));
        assertThrows(IllegalArgumentException.class, () -> LoadGenerator.parse(new String[] {"--seconds", "601"}));
        assertThrows(IllegalArgumentException.class, () -> LoadGenerator.parse(new String[] {"--seconds", "0"}));
        assertThrows(IllegalArgumentException.class, () -> LoadGenerator.parse(new String[] {"--mix", "/a=0"}));
        assertThrows(IllegalArgumentException.class, () -> LoadGenerator.parse(new String[] {"--path", "http://x/"}));
        LoadGenerator.Options o = LoadGenerator.parse(new String[] {"--port", "9", "--mix", "/work=95,/pinned=5"});
        assertEquals(Map.of("/work", 95, "/pinned", 5), o.mix());
    }

    @Test
    void loadReportQuantilesAreWithinATenthOfAPercent() {
        // The load generator's latencies are an HdrHistogram with 3 significant digits (the one
        // histogram of the project, as in dev.loomtracer.analysis): a quantile within 0.1 %.
        org.HdrHistogram.Histogram h = new org.HdrHistogram.Histogram(3);
        for (long i = 1; i <= 100_000; i++) {
            h.recordValue(i * 1000); // 1 us .. 100 ms, uniform
        }
        LoadGenerator.Result r = new LoadGenerator.Result(java.time.Duration.ofSeconds(1), 100_000, Map.of(200, 100_000L), h,
                java.util.List.of());
        for (double q : new double[] {0.5, 0.9, 0.99, 0.999}) {
            double exactMillis = q * 100_000 * 1000 / 1e6;
            assertEquals(exactMillis, r.latencyMillis(q), exactMillis / 1000, "q=" + q);
        }
        assertTrue(r.report().startsWith("100000 requests in 1.00 s"), r.report());
    }
}

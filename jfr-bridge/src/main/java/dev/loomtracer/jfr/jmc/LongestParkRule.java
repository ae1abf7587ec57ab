package dev.loomtracer.jfr.jmc;

import dev.loomtracer.jfr.events.LoomEvents;

/**
 * JMC rule: the longest virtual-thread park (dev.loomtracer.VirtualThreadPark). Parking is normal;
 * the score only rises for parks beyond a second (info) and ten seconds (warning).
 */
public final class LongestParkRule extends LongestEpisodeRule {
    public static final String ID = "LoomTracerLongestPark";

    public LongestParkRule() {
        super(ID, "Longest Virtual Thread Park", LoomEvents.PARK, "virtual thread park", "reason",
                limit("loomtracer.park.info.limit", "Park duration info limit", 1_000),
                limit("loomtracer.park.warning.limit", "Park duration warning limit", 10_000));
    }
}

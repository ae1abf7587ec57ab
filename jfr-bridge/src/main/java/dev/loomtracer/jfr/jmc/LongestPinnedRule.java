package dev.loomtracer.jfr.jmc;

import dev.loomtracer.jfr.events.LoomEvents;

/**
 * JMC rule: the longest block of a virtual thread pinned to its carrier
 * (dev.loomtracer.VirtualThreadPinned). A pinned block holds a carrier hostage, so the score rises
 * from 20 ms (info, JFR's own jdk.VirtualThreadPinned threshold) to 200 ms (warning).
 */
public final class LongestPinnedRule extends LongestEpisodeRule {
    public static final String ID = "LoomTracerLongestPinned";

    public LongestPinnedRule() {
        super(ID, "Longest Pinned Virtual Thread Block", LoomEvents.PINNED, "pinned block", "pinnedReason",
                limit("loomtracer.pinned.info.limit", "Pinned block info limit", 20),
                limit("loomtracer.pinned.warning.limit", "Pinned block warning limit", 200));
    }
}

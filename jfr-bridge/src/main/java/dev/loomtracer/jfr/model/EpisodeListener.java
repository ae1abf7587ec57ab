package dev.loomtracer.jfr.model;

/** Receives the episodes an {@link EpisodeBuilder} pairs up, in the order they complete. */
public interface EpisodeListener {
    void episode(Episode e);
}

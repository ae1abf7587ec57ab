package dev.loomtracer.jfr.model;

/** Receives the episodes {@link ModelEpisodes} derives, in the order they complete. */
public interface EpisodeListener {
    void episode(Episode e);
}

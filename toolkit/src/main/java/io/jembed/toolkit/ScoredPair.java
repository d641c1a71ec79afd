package io.jembed.toolkit;

/**
 * Two texts and their similarity, as returned by paraphrase mining: {@code first < second} (indices
 * into the input).
 */
public record ScoredPair(int first, int second, float score) {}

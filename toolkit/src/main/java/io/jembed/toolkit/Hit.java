package io.jembed.toolkit;

/**
 * One search result, as in sentence-transformers' {@code semantic_search}: the index of a corpus
 * vector and its score (higher is more similar).
 */
public record Hit(int corpusId, float score) {}

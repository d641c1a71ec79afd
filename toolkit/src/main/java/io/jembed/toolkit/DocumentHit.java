package io.jembed.toolkit;

/**
 * A document found by {@link DocumentSearch}: its best-scoring chunk decides its score.
 *
 * @param documentIndex position of the document in the corpus
 * @param document the document
 * @param score the best chunk's similarity to the query
 * @param chunk the best chunk, with its offsets in the document
 * @param chunkCount how many chunks the document was split into (1: it fit whole)
 */
public record DocumentHit(
    int documentIndex, Document document, float score, Chunk chunk, int chunkCount) {}

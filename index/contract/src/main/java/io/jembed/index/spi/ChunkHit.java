package io.jembed.index.spi;

/**
 * A ranked chunk, before it is a {@link io.jembed.index.SearchHit}.
 *
 * @param id the document's id
 * @param chunk the chunk's position in the document
 * @param score the model's similarity (vector search), the store's keyword score, or the fused
 *     score
 * @param ref the store's own handle for loading the chunk later in the same {@link StoreReader} (a
 *     Lucene doc id, a row id); 0 if the store needs none
 */
public record ChunkHit(String id, int chunk, double score, long ref) {
  /** The same chunk with another score. */
  public ChunkHit withScore(double newScore) {
    return new ChunkHit(id, chunk, newScore, ref);
  }
}

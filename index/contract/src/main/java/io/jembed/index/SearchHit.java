package io.jembed.index;

import java.util.Map;

/**
 * One result. With grouping (the default) a hit is a document, represented by its best chunk.
 *
 * @param id the document's id
 * @param score the model's similarity (cosine, dot or negative distance) for vector search, BM25
 *     for keyword search, the fused reciprocal-rank score for hybrid search
 * @param text the chunk's text
 * @param chunk the chunk's position in the document
 * @param start offset of the chunk in the document text
 * @param end offset just past the chunk
 * @param metadata the document's metadata (dates as ISO strings)
 */
public record SearchHit(
    String id,
    double score,
    String text,
    int chunk,
    int start,
    int end,
    Map<String, Object> metadata) {
  public SearchHit {
    metadata = metadata == null ? Map.of() : java.util.Collections.unmodifiableMap(metadata);
  }
}

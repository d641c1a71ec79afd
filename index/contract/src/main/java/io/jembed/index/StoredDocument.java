package io.jembed.index;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A document as a store keeps it: its text and metadata, and its chunks with their vectors. What
 * {@link VectorStore#exportDocuments} reads and {@link VectorStore#importDocuments} writes, so an
 * index moves from one store to another without embedding anything again.
 *
 * @param id the document's id
 * @param text the whole text (empty for a document added with only a vector)
 * @param metadata metadata values in their kept form ({@link MetadataValues})
 * @param chunks the chunks in order, at least one
 */
public record StoredDocument(
    String id, String text, Map<String, Object> metadata, List<Chunk> chunks) {

  public StoredDocument {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("a document needs a non-blank id");
    }
    Objects.requireNonNull(text, "text");
    Map<String, Object> kept = new LinkedHashMap<>();
    metadata.forEach((k, v) -> kept.put(k, MetadataValues.metadataValue(k, v)));
    metadata = Collections.unmodifiableMap(kept);
    chunks = List.copyOf(chunks);
    if (chunks.isEmpty()) {
      throw new IllegalArgumentException("document '" + id + "' has no chunks");
    }
  }

  /**
   * One chunk: its text, where it lies in the document's text, and its vector.
   *
   * @param index the chunk's position in the document (0, 1, ...)
   * @param text the chunk's text
   * @param start offset of the chunk in the document's text
   * @param end offset just past the chunk
   * @param vector the chunk's embedding (shared, not copied: do not change it)
   */
  public record Chunk(int index, String text, int start, int end, float[] vector) {
    public Chunk {
      Objects.requireNonNull(text, "text");
      Objects.requireNonNull(vector, "vector");
    }
  }
}

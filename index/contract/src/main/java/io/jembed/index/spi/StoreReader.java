package io.jembed.index.spi;

import io.jembed.index.IndexMetadata;
import io.jembed.index.IndexStats;
import io.jembed.index.SearchHit;
import io.jembed.index.StoredDocument;
import java.util.List;
import java.util.function.Consumer;

/**
 * A point-in-time view of a store's committed documents: what a backend implements for reading.
 * Handles ({@link ChunkHit#ref()}) are valid only within the reader that returned them.
 */
public interface StoreReader extends AutoCloseable {

  /**
   * The chunks nearest the query vector that meet its filter, best first, with the model's
   * similarity as score (cosine, dot product, or negative distance).
   */
  List<ChunkHit> vectorSearch(VectorQuery query);

  /** The chunks that best match the words of {@code text} and meet the filter, best first. */
  List<ChunkHit> keywordSearch(String text, int count, io.jembed.index.Filter filter);

  /** The hits' texts, offsets and metadata, in the given order and with the given scores. */
  List<SearchHit> load(List<ChunkHit> hits);

  /** Live chunks: the most any search can return. */
  long chunkCount();

  boolean contains(String id);

  IndexStats stats(IndexMetadata metadata);

  /** Every live document with its chunks and vectors. */
  void forEachDocument(Consumer<StoredDocument> action);

  @Override
  void close();
}

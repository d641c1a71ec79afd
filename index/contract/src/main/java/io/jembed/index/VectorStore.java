package io.jembed.index;

import io.jembed.ModelInfo;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;

/**
 * A persistent store of embedded documents: add, replace and delete documents by id, search them by
 * meaning, keywords or both, with metadata filters. Every store (the embedded Lucene index, and
 * others behind {@link io.jembed.index.spi.VectorStoreProvider}) gives the same answers for the
 * same documents: {@link VectorStores} opens the right one for a {@link StoreLocation}.
 *
 * <p>Writes become durable and visible to searches at {@link #commit()}: an acknowledged commit is
 * never lost, and a crash before it loses only the uncommitted writes. Implementations are safe for
 * concurrent use: searches run while another thread writes.
 */
public interface VectorStore extends AutoCloseable {

  /** Where the store lives. */
  StoreLocation location();

  /** What the store is: its model, settings and metadata fields. */
  IndexMetadata metadata();

  /** The model whose vectors this store holds. */
  default ModelInfo model() {
    return metadata().model();
  }

  /** Whether the store was opened to search only. */
  boolean isReadOnly();

  /** Adds documents, replacing any with the same id (chunks, embeds, writes). */
  void upsert(Collection<Document> documents);

  default void upsert(Document document) {
    upsert(List.of(document));
  }

  /** Same as {@link #upsert(Collection)}: ids are unique, adding an existing id replaces it. */
  default void add(Collection<Document> documents) {
    upsert(documents);
  }

  /**
   * Adds documents that are chunked and embedded already (as {@link #exportDocuments} reads them
   * from another store of the same model), replacing any with the same id.
   */
  void importDocuments(Collection<StoredDocument> documents);

  /** Deletes documents (all their chunks) by id; unknown ids are ignored. */
  void delete(Collection<String> ids);

  default void delete(String id) {
    delete(List.of(id));
  }

  /** Makes every write so far durable and visible; returns the number of live documents. */
  long commit();

  /** Top hits for the request, best first. */
  List<SearchHit> search(SearchRequest request);

  /** Whether a document with this id is committed. */
  boolean contains(String id);

  IndexStats stats();

  /** Every committed document with its chunks and their vectors. */
  void exportDocuments(Consumer<StoredDocument> action);

  /** Releases the store; uncommitted writes are rolled back, not committed. */
  @Override
  void close();
}

package io.jembed.index;

import io.jembed.ModelInfo;
import java.util.Collection;
import java.util.List;

/**
 * A persistent store of embedded documents: add, replace and delete documents by id, search them by
 * meaning, keywords or both, with metadata filters. {@link LuceneVectorStore} is the embedded
 * implementation; other stores (Elasticsearch, OpenSearch, pgvector) implement the same contract.
 *
 * <p>Writes become durable and visible to searches at {@link #commit()}: an acknowledged commit is
 * never lost, and a crash before it loses only the uncommitted writes. Implementations are safe for
 * concurrent use: searches run while another thread writes.
 */
public interface VectorStore extends AutoCloseable {

  /** The model whose vectors this store holds. */
  ModelInfo model();

  /** Adds documents, replacing any with the same id (chunks, embeds, writes). */
  void upsert(Collection<Document> documents);

  default void upsert(Document document) {
    upsert(List.of(document));
  }

  /** Same as {@link #upsert(Collection)}: ids are unique, adding an existing id replaces it. */
  default void add(Collection<Document> documents) {
    upsert(documents);
  }

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

  /** Releases the store; uncommitted writes are rolled back, not committed. */
  @Override
  void close();
}

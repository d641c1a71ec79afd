package io.jembed.integrations;

import io.jembed.EmbeddingModel;
import io.jembed.SimilarityFunction;
import io.jembed.index.Document;
import io.jembed.index.Filter;
import io.jembed.index.FilterCheck;
import io.jembed.index.IndexOptions;
import io.jembed.index.SearchHit;
import io.jembed.index.SearchRequest;
import io.jembed.index.StoreLocation;
import io.jembed.index.VectorStore;
import io.jembed.index.VectorStores;
import io.jembed.index.spi.AbstractVectorStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * A jembed {@link VectorStore} as the frameworks use a vector store:
 *
 * <ul>
 *   <li>every write call is committed before it returns (frameworks have no commit), unless the
 *       caller commits itself ({@code autoCommit = false});
 *   <li>searches are vector searches with exact cosine scores (rescored from the stored float
 *       vectors when the index is quantized), one hit per document;
 *   <li>filters may name fields no document has yet ({@link MissingFields});
 *   <li>documents can be deleted by filter, and all at once.
 * </ul>
 *
 * <p>Documents keep the vectors the framework gives them: one document is one vector, never chunked
 * again (the frameworks split documents themselves).
 */
public final class FrameworkIndex implements AutoCloseable {
  private final VectorStore store;
  private final boolean owned;
  private final boolean autoCommit;

  private FrameworkIndex(VectorStore store, boolean owned, boolean autoCommit) {
    this.store = Objects.requireNonNull(store, "store");
    this.owned = owned;
    this.autoCommit = autoCommit;
    SimilarityFunction similarity = store.model().similarity();
    if (!AbstractVectorStore.keepsUnitVectors(store.model())
        && similarity != SimilarityFunction.COSINE) {
      throw new IllegalArgumentException(
          "the index at "
              + store.location()
              + " compares "
              + store.model().id()
              + " vectors by "
              + similarity.externalName()
              + "; the frameworks' scores are cosine similarities: use a model compared by cosine"
              + " (or a normalized one compared by dot product)");
    }
  }

  /** A store the caller opened and will close. */
  public static FrameworkIndex of(VectorStore store, boolean autoCommit) {
    return new FrameworkIndex(store, false, autoCommit);
  }

  /**
   * Opens the store at {@code location} (a folder, or any location {@link StoreLocation} takes) for
   * {@code model}, creating it with {@code options} if nothing is there; {@link #close()} closes
   * it.
   */
  public static FrameworkIndex openOrCreate(
      String location, EmbeddingModel model, IndexOptions options, boolean autoCommit) {
    StoreLocation where = StoreLocation.parse(location);
    VectorStore store =
        VectorStores.provider(where).exists(where)
            ? VectorStores.open(where, model)
            : VectorStores.create(
                where, model, options == null ? IndexOptions.defaults() : options);
    try {
      return new FrameworkIndex(store, true, autoCommit);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /** The jembed store underneath. */
  public VectorStore store() {
    return store;
  }

  /** Adds or replaces documents (each with its vector). */
  public void upsert(Collection<Document> documents) {
    store.upsert(documents);
    committed();
  }

  /** Deletes documents by id; unknown ids are ignored. */
  public void delete(Collection<String> ids) {
    store.delete(ids);
    committed();
  }

  /**
   * Deletes every document that passes {@code filter} (fields no document has count as missing);
   * returns how many. Reads every committed document once: exact in every store.
   */
  public int deleteWhere(Filter filter) {
    Objects.requireNonNull(filter, "filter");
    List<String> ids = new ArrayList<>();
    switch (MissingFields.resolve(filter, store.metadata().fields().keySet())) {
      case MissingFields.Resolved.None none -> {
        return 0;
      }
      case MissingFields.Resolved.All all -> store.exportDocuments(d -> ids.add(d.id()));
      case MissingFields.Resolved.Where where -> {
        FilterCheck.check(where.filter(), store.metadata().fields());
        store.exportDocuments(
            d -> {
              if (where.filter().test(d.metadata())) {
                ids.add(d.id());
              }
            });
      }
    }
    delete(ids);
    return ids.size();
  }

  /** Deletes every document. */
  public void deleteAll() {
    List<String> ids = new ArrayList<>();
    store.exportDocuments(d -> ids.add(d.id()));
    delete(ids);
  }

  /**
   * The {@code k} documents nearest {@code vector} that pass {@code filter} (null: all), best
   * first, each scored with its exact cosine similarity to the vector.
   */
  public List<SearchHit> search(float[] vector, int k, Filter filter) {
    SearchRequest.Builder request = SearchRequest.builder().vector(vector).k(k).rescore(true);
    switch (MissingFields.resolve(filter, store.metadata().fields().keySet())) {
      case MissingFields.Resolved.None none -> {
        return List.of();
      }
      case MissingFields.Resolved.All all -> {}
      case MissingFields.Resolved.Where where -> request.filter(where.filter());
    }
    return store.search(request.build());
  }

  /** Makes every write so far durable and visible (needed only without auto-commit). */
  public long commit() {
    return store.commit();
  }

  private void committed() {
    if (autoCommit) {
      store.commit();
    }
  }

  /** Closes the store if this object opened it; uncommitted writes are dropped. */
  @Override
  public void close() {
    if (owned) {
      store.close();
    }
  }
}

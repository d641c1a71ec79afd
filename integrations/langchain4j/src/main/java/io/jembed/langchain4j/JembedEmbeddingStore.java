package io.jembed.langchain4j;

import static dev.langchain4j.internal.ValidationUtils.ensureNotEmpty;
import static dev.langchain4j.internal.ValidationUtils.ensureNotNull;

import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.EmbeddingSearchResult;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.RelevanceScore;
import dev.langchain4j.store.embedding.filter.Filter;
import io.jembed.index.Document;
import io.jembed.index.IndexOptions;
import io.jembed.index.SearchHit;
import io.jembed.index.VectorStore;
import io.jembed.integrations.FrameworkIndex;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * LangChain4j's {@link EmbeddingStore} backed by a jembed {@link VectorStore}: the embedded Lucene
 * index in a folder, or any other store behind jembed's contract.
 *
 * <pre>{@code
 * JembedEmbeddingModel model = JembedEmbeddingModel.builder().modelName("all-MiniLM-L6-v2").build();
 * JembedEmbeddingStore store = JembedEmbeddingStore.builder()
 *     .path(Path.of("my-index"))          // created on first use, opened after
 *     .embeddingModel(model)
 *     .build();
 * }</pre>
 *
 * <ul>
 *   <li><b>Ids.</b> {@code add} returns a random UUID; given ids are kept as they are. Adding an id
 *       again replaces its entry.
 *   <li><b>One entry, one vector.</b> The vector given is stored as it is (LangChain4j splits
 *       documents itself; jembed does not chunk them again), with the segment's text and metadata
 *       (keys of letters, digits, '_', '.', '-'; a key keeps the type it was first given: a key
 *       that holds numbers cannot later hold text). An entry added without a segment comes back
 *       with {@code embedded() == null}.
 *   <li><b>Scores.</b> {@link EmbeddingMatch#score()} is LangChain4j's relevance, (cosine + 1) / 2,
 *       exactly as its in-memory store gives it; {@code minScore} is in the same unit. Matches do
 *       not carry the stored vector ({@code embedding()} is null).
 *   <li><b>Filters</b> are translated by {@link LangChain4jFilters} and run inside the graph
 *       search; a key no entry has is missing from every entry (as LangChain4j's {@code test} sees
 *       it). {@code removeAll(filter)} reads every entry once.
 *   <li><b>Durability.</b> Each add and remove is committed (durable and visible) before it
 *       returns, unless {@code autoCommit(false)}: then call {@link #commit()}.
 * </ul>
 *
 * <p>The vectors must come from the store's model (its identity is recorded in the index, which
 * refuses to open with another one). Close the store to release the index.
 */
public final class JembedEmbeddingStore implements EmbeddingStore<TextSegment>, AutoCloseable {
  private final FrameworkIndex index;

  private JembedEmbeddingStore(FrameworkIndex index) {
    this.index = index;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The jembed store underneath (hybrid and keyword search, stats, copy...). */
  public VectorStore jembedStore() {
    return index.store();
  }

  @Override
  public String add(Embedding embedding) {
    String id = UUID.randomUUID().toString();
    add(id, embedding);
    return id;
  }

  @Override
  public void add(String id, Embedding embedding) {
    addAll(List.of(id), List.of(embedding), null);
  }

  @Override
  public String add(Embedding embedding, TextSegment segment) {
    String id = UUID.randomUUID().toString();
    addAll(List.of(id), List.of(embedding), List.of(segment));
    return id;
  }

  @Override
  public List<String> addAll(List<Embedding> embeddings) {
    List<String> ids = generateIds(embeddings.size());
    addAll(ids, embeddings, null);
    return ids;
  }

  @Override
  public void addAll(List<String> ids, List<Embedding> embeddings, List<TextSegment> segments) {
    ensureNotNull(ids, "ids");
    ensureNotNull(embeddings, "embeddings");
    if (ids.size() != embeddings.size() || (segments != null && segments.size() != ids.size())) {
      throw new IllegalArgumentException(
          "ids, embeddings and segments must be as many: got "
              + ids.size()
              + ", "
              + embeddings.size()
              + (segments == null ? "" : " and " + segments.size()));
    }
    List<Document> documents = new ArrayList<>(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      TextSegment segment = segments == null ? null : segments.get(i);
      Document.Builder d =
          Document.builder(ids.get(i))
              .vector(ensureNotNull(embeddings.get(i), "embedding").vector());
      if (segment != null) {
        d.text(segment.text()).metadata(segment.metadata().toMap());
      }
      documents.add(d.build());
    }
    index.upsert(documents);
  }

  @Override
  public void removeAll(Collection<String> ids) {
    ensureNotEmpty(ids, "ids");
    index.delete(ids);
  }

  @Override
  public void removeAll(Filter filter) {
    ensureNotNull(filter, "filter");
    index.deleteWhere(LangChain4jFilters.toJembed(filter));
  }

  @Override
  public void removeAll() {
    index.deleteAll();
  }

  @Override
  public EmbeddingSearchResult<TextSegment> search(EmbeddingSearchRequest request) {
    List<SearchHit> hits =
        index.search(
            request.queryEmbedding().vector(),
            request.maxResults(),
            LangChain4jFilters.toJembed(request.filter()));
    List<EmbeddingMatch<TextSegment>> matches = new ArrayList<>(hits.size());
    for (SearchHit hit : hits) {
      double relevance = RelevanceScore.fromCosineSimilarity(hit.score());
      if (relevance >= request.minScore()) {
        matches.add(new EmbeddingMatch<>(relevance, hit.id(), null, segment(hit)));
      }
    }
    return new EmbeddingSearchResult<>(matches);
  }

  /** Makes every write durable and visible (needed only with {@code autoCommit(false)}). */
  public void commit() {
    index.commit();
  }

  /** Closes the index if this store opened it. */
  @Override
  public void close() {
    index.close();
  }

  private static TextSegment segment(SearchHit hit) {
    if (hit.text() == null || hit.text().isBlank()) {
      return null; // added without a segment
    }
    return TextSegment.from(hit.text(), metadata(hit.metadata()));
  }

  /**
   * Metadata as LangChain4j holds it: integral numbers as Integer where they fit (else Long),
   * others as Double (a Float comes back as the Double of its decimal form), text as String (UUIDs
   * too: {@link Metadata#getUUID} reads them); values LangChain4j cannot hold (a tag list written
   * by other means) as their text.
   */
  static Metadata metadata(Map<String, Object> values) {
    Map<String, Object> out = new LinkedHashMap<>();
    values.forEach(
        (key, value) ->
            out.put(
                key,
                switch (value) {
                  case Long l when l == l.intValue() -> l.intValue();
                  case Long l -> l;
                  case Double d -> d;
                  case String s -> s;
                  default -> String.valueOf(value);
                }));
    return Metadata.from(out);
  }

  /** Builder for {@link JembedEmbeddingStore}. */
  public static final class Builder {
    private String location;
    private io.jembed.EmbeddingModel model;
    private VectorStore store;
    private IndexOptions indexOptions;
    private boolean autoCommit = true;

    private Builder() {}

    /** The index folder: created for the model on first use, opened after. */
    public Builder path(Path path) {
      this.location = Objects.requireNonNull(path, "path").toString();
      return this;
    }

    /**
     * Where the index lives: a folder, or any location jembed's stores take ({@code
     * postgresql://...}, {@code opensearch://...} with their modules).
     */
    public Builder location(String location) {
      this.location = Objects.requireNonNull(location, "location");
      return this;
    }

    /** The model whose vectors the index holds (the store does not close it). */
    public Builder embeddingModel(JembedEmbeddingModel model) {
      return model(model.jembedModel());
    }

    /** The jembed model whose vectors the index holds (the store does not close it). */
    public Builder model(io.jembed.EmbeddingModel model) {
      this.model = Objects.requireNonNull(model, "model");
      return this;
    }

    /** A jembed store opened already, instead of a location (the caller closes it). */
    public Builder store(VectorStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** How a new index is built: quantization (default int8, rescored), HNSW settings. */
    public Builder indexOptions(IndexOptions indexOptions) {
      this.indexOptions = indexOptions;
      return this;
    }

    /** Commit after every add and remove (default), or only at {@link #commit()}. */
    public Builder autoCommit(boolean autoCommit) {
      this.autoCommit = autoCommit;
      return this;
    }

    public JembedEmbeddingStore build() {
      if (store != null) {
        return new JembedEmbeddingStore(FrameworkIndex.of(store, autoCommit));
      }
      if (location == null || model == null) {
        throw new IllegalArgumentException(
            "a JembedEmbeddingStore needs a path (or location) and its embedding model, or a"
                + " jembed VectorStore");
      }
      return new JembedEmbeddingStore(
          FrameworkIndex.openOrCreate(location, model, indexOptions, autoCommit));
    }
  }
}

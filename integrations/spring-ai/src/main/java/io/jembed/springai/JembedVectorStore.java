package io.jembed.springai;

import io.jembed.Embeddings;
import io.jembed.InputType;
import io.jembed.index.IndexOptions;
import io.jembed.index.SearchHit;
import io.jembed.index.VectorStore;
import io.jembed.integrations.FrameworkIndex;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.springframework.ai.document.Document;
import org.springframework.ai.document.DocumentMetadata;
import org.springframework.ai.vectorstore.AbstractVectorStoreBuilder;
import org.springframework.ai.vectorstore.SearchRequest;
import org.springframework.ai.vectorstore.filter.Filter;
import org.springframework.ai.vectorstore.observation.AbstractObservationVectorStore;
import org.springframework.ai.vectorstore.observation.VectorStoreObservationContext;

/**
 * Spring AI's {@link org.springframework.ai.vectorstore.VectorStore} backed by a jembed {@link
 * VectorStore}: the embedded Lucene index in a folder, or any other store behind jembed's contract.
 *
 * <pre>{@code
 * JembedEmbeddingModel model = JembedEmbeddingModel.builder().modelName("all-MiniLM-L6-v2").build();
 * JembedVectorStore store = JembedVectorStore.builder(model).path(Path.of("my-index")).build();
 * store.add(List.of(new Document("Configure nginx as a reverse proxy.", Map.of("year", 2022))));
 * List<Document> hits = store.similaritySearch(SearchRequest.builder()
 *     .query("website behind a proxy").topK(5).filterExpression("year >= 2020").build());
 * }</pre>
 *
 * <ul>
 *   <li><b>One document, one vector.</b> Each document's text is embedded whole, as a document (the
 *       model's document prompt), and stored with its id and metadata; jembed does not chunk it
 *       again (split long texts with Spring AI's splitters; longer than the model reads is
 *       truncated and logged). Adding an id again replaces it.
 *   <li><b>Scores</b> as Spring AI's in-memory store gives them: {@link Document#getScore()} is the
 *       cosine similarity, the {@code distance} metadata 1 - score, and {@code similarityThreshold}
 *       keeps hits whose cosine is at least that.
 *   <li><b>Filters</b> are translated by {@link SpringAiFilters} and run inside the graph search; a
 *       key no document has is missing from every document. Metadata values are strings, lists of
 *       strings, numbers, booleans (kept as the text true/false) and dates; a key keeps the type it
 *       was first given.
 *   <li><b>Durability.</b> Each add and delete is committed before it returns, unless {@code
 *       autoCommit(false)}: then call {@link #commit()}.
 * </ul>
 */
public final class JembedVectorStore extends AbstractObservationVectorStore
    implements AutoCloseable {
  private final JembedEmbeddingModel model;
  private final FrameworkIndex index;

  private JembedVectorStore(Builder b) {
    super(b);
    this.model = b.model;
    this.index =
        b.store != null
            ? FrameworkIndex.of(b.store, b.autoCommit)
            : FrameworkIndex.openOrCreate(
                b.location, model.jembedModel(), b.indexOptions, b.autoCommit);
  }

  /** A store whose documents and queries {@code model} embeds. */
  public static Builder builder(JembedEmbeddingModel model) {
    return new Builder(model);
  }

  @Override
  public void doAdd(List<Document> documents) {
    if (documents.isEmpty()) {
      return;
    }
    List<String> texts = new ArrayList<>(documents.size());
    for (Document d : documents) {
      if (d.getText() == null) {
        throw new IllegalArgumentException(
            "document '" + d.getId() + "' has no text: jembed embeds text only");
      }
      texts.add(d.getText());
    }
    Embeddings vectors = model.encoding().encode(texts, InputType.DOCUMENT, null);
    List<io.jembed.index.Document> out = new ArrayList<>(documents.size());
    for (int i = 0; i < documents.size(); i++) {
      Document d = documents.get(i);
      out.add(
          io.jembed.index.Document.builder(d.getId())
              .text(d.getText())
              .metadata(d.getMetadata())
              .vector(vectors.get(i))
              .build());
    }
    index.upsert(out);
  }

  @Override
  public void doDelete(List<String> ids) {
    index.delete(ids);
  }

  @Override
  protected void doDelete(Filter.Expression filterExpression) {
    index.deleteWhere(
        SpringAiFilters.toJembed(Objects.requireNonNull(filterExpression, "filterExpression")));
  }

  @Override
  public List<Document> doSimilaritySearch(SearchRequest request) {
    float[] query =
        model.encoding().encode(List.of(request.getQuery()), InputType.QUERY, null).get(0);
    List<SearchHit> hits =
        index.search(
            query, request.getTopK(), SpringAiFilters.toJembed(request.getFilterExpression()));
    List<Document> out = new ArrayList<>(hits.size());
    for (SearchHit hit : hits) {
      if (hit.score() < request.getSimilarityThreshold()) {
        break; // best first
      }
      Map<String, Object> metadata = new LinkedHashMap<>(hit.metadata());
      metadata.put(DocumentMetadata.DISTANCE.value(), 1.0 - hit.score());
      out.add(
          Document.builder()
              .id(hit.id())
              .text(hit.text())
              .metadata(metadata)
              .score(hit.score())
              .build());
    }
    return out;
  }

  @Override
  public VectorStoreObservationContext.Builder createObservationContextBuilder(String operation) {
    return VectorStoreObservationContext.builder("jembed", operation)
        .collectionName(index.store().location().toString())
        .dimensions(index.store().model().dimension())
        .similarityMetric("cosine");
  }

  /** The jembed store underneath (hybrid and keyword search, stats, copy...). */
  @Override
  @SuppressWarnings("unchecked")
  public <T> Optional<T> getNativeClient() {
    return Optional.of((T) index.store());
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

  /** Builder for {@link JembedVectorStore}. */
  public static final class Builder extends AbstractVectorStoreBuilder<Builder> {
    private final JembedEmbeddingModel model;
    private String location;
    private VectorStore store;
    private IndexOptions indexOptions;
    private boolean autoCommit = true;

    private Builder(JembedEmbeddingModel model) {
      super(model);
      this.model = model;
    }

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

    /** Commit after every add and delete (default), or only at {@link #commit()}. */
    public Builder autoCommit(boolean autoCommit) {
      this.autoCommit = autoCommit;
      return this;
    }

    @Override
    public JembedVectorStore build() {
      if (store == null && location == null) {
        throw new IllegalArgumentException(
            "a JembedVectorStore needs a path (or location), or a jembed VectorStore");
      }
      return new JembedVectorStore(this);
    }
  }
}

package io.jembed.index.opensearch;

import static io.jembed.index.opensearch.OpenSearchSchema.CHUNK;
import static io.jembed.index.opensearch.OpenSearchSchema.CHUNKS;
import static io.jembed.index.opensearch.OpenSearchSchema.END;
import static io.jembed.index.opensearch.OpenSearchSchema.ID;
import static io.jembed.index.opensearch.OpenSearchSchema.START;
import static io.jembed.index.opensearch.OpenSearchSchema.TEXT;
import static io.jembed.index.opensearch.OpenSearchSchema.chunkField;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jembed.JembedException;
import io.jembed.ModelInfo;
import io.jembed.index.FieldType;
import io.jembed.index.Filter;
import io.jembed.index.IndexMetadata;
import io.jembed.index.IndexStats;
import io.jembed.index.Quantization;
import io.jembed.index.SearchHit;
import io.jembed.index.StoredDocument;
import io.jembed.index.spi.ChunkHit;
import io.jembed.index.spi.StoreReader;
import io.jembed.index.spi.VectorQuery;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.opensearch.client.json.JsonData;
import org.opensearch.client.opensearch._types.FieldValue;
import org.opensearch.client.opensearch._types.SortOrder;
import org.opensearch.client.opensearch._types.query_dsl.ChildScoreMode;
import org.opensearch.client.opensearch._types.query_dsl.FieldAndFormat;
import org.opensearch.client.opensearch._types.query_dsl.KnnQuery;
import org.opensearch.client.opensearch._types.query_dsl.Query;
import org.opensearch.client.opensearch.core.MgetResponse;
import org.opensearch.client.opensearch.core.SearchResponse;
import org.opensearch.client.opensearch.core.mget.MultiGetResponseItem;
import org.opensearch.client.opensearch.core.search.Hit;
import org.opensearch.client.opensearch.core.search.InnerHits;
import org.opensearch.client.opensearch.core.search.InnerHitsResult;
import org.opensearch.client.opensearch.indices.IndicesStatsResponse;
import org.opensearch.client.opensearch.indices.stats.IndicesStats;

/**
 * Searches an {@link OpenSearchVectorStore}'s index: the k-NN query (a nested query over the
 * chunks' vectors, the filter inside it so the Lucene engine filters while it walks the graph,
 * every chunk of the nearest documents scored), the keyword query (BM25 over the chunks' text),
 * loading hits, counts and export. The index refreshes only at commits, so each request sees the
 * last commit.
 */
final class OpenSearchReader implements StoreReader {
  /** Inner hits per document; the index allows this many ({@code max_inner_result_window}). */
  static final int MAX_INNER_HITS = 10_000;

  private static final int EXPORT_PAGE = 200;

  private final OpenSearchConnection connection;
  private final String index;
  private final Map<String, FieldType> fields;
  private final ModelInfo model;
  private final Quantization quantization;
  private final String spaceType;
  private long chunkCount = -1;

  OpenSearchReader(OpenSearchVectorStore store) {
    this.connection = store.connection();
    this.index = store.index();
    this.fields = store.metadata().fields();
    this.model = store.metadata().model();
    this.quantization = store.metadata().quantization();
    this.spaceType = OpenSearchSchema.spaceType(model);
  }

  // -------------------------------------------------------------------------------- searching

  @Override
  public List<ChunkHit> vectorSearch(VectorQuery q) {
    List<Float> vector = new ArrayList<>(q.vector().length);
    for (float x : q.vector()) {
      vector.add(x);
    }
    Query filter = OpenSearchFilters.toQuery(q.filter(), fields);
    KnnQuery knn =
        KnnQuery.of(
            k -> {
              k.field(chunkField(OpenSearchSchema.VECTOR))
                  .vector(vector)
                  .k(q.count())
                  .expandNestedDocs(true) // every chunk of the nearest documents, with its score
                  .methodParameters("ef_search", JsonData.of(Math.max(q.count(), 100)));
              if (filter != null) {
                k.filter(filter);
              }
              if (q.rescore() && quantization != Quantization.NONE) {
                k.rescore(
                    r ->
                        r.context(x -> x.oversampleFactor(1.0f))); // the caller oversampled already
              }
              return k;
            });
    return chunkHits(
        "a vector search", Query.of(x -> x.knn(knn)), null, q.count(), this::similarity);
  }

  @Override
  public List<ChunkHit> keywordSearch(String text, int count, Filter filter) {
    Query words = Query.of(x -> x.match(m -> m.field(chunkField(TEXT)).query(FieldValue.of(text))));
    return chunkHits(
        "a keyword search", words, OpenSearchFilters.toQuery(filter, fields), count, s -> s);
  }

  /** How a k-NN score converts back to the model's similarity. */
  private interface ScoreConversion {
    double apply(double score);
  }

  /**
   * The best {@code count} chunks for a query over the chunks: documents ranked by their best
   * chunk, each with its matching chunks (inner hits), flattened and ranked by chunk score.
   */
  private List<ChunkHit> chunkHits(
      String action, Query chunkQuery, Query filter, int count, ScoreConversion score) {
    InnerHits inner =
        InnerHits.of(
            h ->
                h.size(Math.min(count, MAX_INNER_HITS))
                    .source(s -> s.fetch(false))
                    .docvalueFields(FieldAndFormat.of(f -> f.field(chunkField(CHUNK)))));
    Query nested =
        Query.of(
            x ->
                x.nested(
                    n ->
                        n.path(CHUNKS)
                            .query(chunkQuery)
                            .scoreMode(ChildScoreMode.Max)
                            .innerHits(inner)));
    Query query =
        filter == null ? nested : Query.of(x -> x.bool(b -> b.must(nested).filter(filter)));
    SearchResponse<ObjectNode> response =
        connection.read(
            action,
            c ->
                c.search(
                    s ->
                        s.index(index)
                            .query(query)
                            .size(count)
                            .source(src -> src.fetch(false))
                            .docvalueFields(FieldAndFormat.of(f -> f.field(ID)))
                            .trackTotalHits(t -> t.enabled(false)),
                    ObjectNode.class));
    List<ChunkHit> hits = new ArrayList<>();
    for (Hit<ObjectNode> parent : response.hits().hits()) {
      String id = docValue(parent.fields().get(ID)).asText();
      InnerHitsResult chunks = parent.innerHits().get(CHUNKS);
      if (chunks == null) {
        continue;
      }
      for (Hit<JsonData> c : chunks.hits().hits()) {
        int chunk = docValue(c.fields().get(chunkField(CHUNK))).asInt();
        hits.add(new ChunkHit(id, chunk, score.apply(c.score()), 0));
      }
    }
    hits.sort(Comparator.comparingDouble(ChunkHit::score).reversed()); // stable: documents' order
    return hits.size() > count ? new ArrayList<>(hits.subList(0, count)) : hits;
  }

  private static JsonNode docValue(JsonData values) {
    if (values == null) {
      throw new JembedException("OpenSearch returned a hit without its id or chunk number");
    }
    JsonNode array = values.to(JsonNode.class);
    return array.isArray() ? array.get(0) : array;
  }

  /** The k-NN plugin's score (Lucene's, for its engine) back to the model's similarity. */
  private double similarity(double score) {
    return switch (spaceType) {
      case OpenSearchSchema.INNER_PRODUCT -> score < 1 ? 1 - 1.0 / score : score - 1.0;
      case "cosinesimil" -> 2.0 * score - 1.0;
      default -> -Math.sqrt(Math.max(0, 1.0 / score - 1.0)); // l2: the negative distance
    };
  }

  @Override
  public List<SearchHit> load(List<ChunkHit> hits) {
    Set<String> ids = new LinkedHashSet<>();
    for (ChunkHit h : hits) {
      ids.add(OpenSearchSchema.documentId(h.id()));
    }
    if (ids.isEmpty()) {
      return List.of();
    }
    MgetResponse<ObjectNode> response =
        connection.read(
            "loading hits",
            c ->
                c.mget(
                    m ->
                        m.index(index)
                            .ids(new ArrayList<>(ids))
                            .realtime(false) // the last commit, as the search saw it
                            .sourceIncludes(
                                ID,
                                OpenSearchSchema.METADATA + ".*",
                                chunkField(CHUNK),
                                chunkField(TEXT),
                                chunkField(START),
                                chunkField(END)),
                    ObjectNode.class));
    Map<String, ObjectNode> sources = new HashMap<>();
    for (MultiGetResponseItem<ObjectNode> item : response.docs()) {
      if (item.isResult() && item.result().found() && item.result().source() != null) {
        ObjectNode source = item.result().source();
        sources.put(source.path(ID).asText(), source);
      }
    }
    List<SearchHit> out = new ArrayList<>(hits.size());
    for (ChunkHit h : hits) {
      ObjectNode source = sources.get(h.id());
      if (source == null) {
        continue; // deleted by a commit since the search
      }
      for (JsonNode c : source.path(CHUNKS)) {
        if (c.path(CHUNK).asInt() == h.chunk()) {
          out.add(
              new SearchHit(
                  h.id(),
                  h.score(),
                  c.path(TEXT).asText(""),
                  h.chunk(),
                  c.path(START).asInt(),
                  c.path(END).asInt(),
                  OpenSearchSchema.metadata(source, Map.of())));
          break;
        }
      }
    }
    return out;
  }

  // ----------------------------------------------------------------------------------- counts

  @Override
  public long chunkCount() {
    if (chunkCount < 0) {
      SearchResponse<ObjectNode> r =
          connection.read(
              "counting chunks",
              c ->
                  c.search(
                      s ->
                          s.index(index)
                              .size(0)
                              .aggregations(
                                  "chunks",
                                  a -> a.sum(sum -> sum.field(OpenSearchSchema.CHUNK_COUNT))),
                      ObjectNode.class));
      chunkCount = Math.round(r.aggregations().get("chunks").sum().value());
    }
    return chunkCount;
  }

  @Override
  public boolean contains(String id) {
    return connection.read(
        "reading a document",
        c ->
            c.exists(
                    e ->
                        e.index(index)
                            .id(OpenSearchSchema.documentId(id))
                            .realtime(false)
                            .source(s -> s.fetch(false)))
                .value());
  }

  @Override
  public IndexStats stats(IndexMetadata metadata) {
    long documents =
        connection.read("counting documents", c -> c.count(r -> r.index(index)).count());
    IndicesStatsResponse response =
        connection.read("reading index statistics", c -> c.indices().stats(s -> s.index(index)));
    IndicesStats all = response.indices().get(index);
    long deleted = 0;
    int segments = 0;
    long primaryBytes = 0;
    long totalBytes = 0;
    if (all != null) {
      deleted = all.primaries().docs() == null ? 0 : all.primaries().docs().deleted();
      segments = all.primaries().segments() == null ? 0 : all.primaries().segments().count();
      primaryBytes = all.primaries().store() == null ? 0 : all.primaries().store().sizeInBytes();
      totalBytes = all.total().store() == null ? primaryBytes : all.total().store().sizeInBytes();
    }
    Map<String, Long> parts = new TreeMap<>();
    parts.put("primary shards", primaryBytes);
    if (totalBytes > primaryBytes) {
      parts.put("replicas", totalBytes - primaryBytes);
    }
    return new IndexStats(
        documents,
        chunkCount(),
        deleted,
        segments,
        totalBytes,
        parts,
        metadata.model(),
        metadata.quantization());
  }

  // ----------------------------------------------------------------------------------- export

  /** Every document, in id order, a page at a time (search_after on the id). */
  @Override
  public void forEachDocument(Consumer<StoredDocument> action) {
    String after = null;
    while (true) {
      String from = after;
      SearchResponse<ObjectNode> page =
          connection.read(
              "reading documents",
              c ->
                  c.search(
                      s -> {
                        s.index(index)
                            .size(EXPORT_PAGE)
                            .sort(o -> o.field(f -> f.field(ID).order(SortOrder.Asc)))
                            .trackTotalHits(t -> t.enabled(false));
                        if (from != null) {
                          s.searchAfter(FieldValue.of(from));
                        }
                        return s;
                      },
                      ObjectNode.class));
      List<Hit<ObjectNode>> hits = page.hits().hits();
      for (Hit<ObjectNode> h : hits) {
        action.accept(OpenSearchSchema.document(h.source(), fields));
        after = h.source().path(ID).asText();
      }
      if (hits.size() < EXPORT_PAGE) {
        return;
      }
    }
  }

  @Override
  public void close() {
    // nothing held: every request stands alone
  }
}

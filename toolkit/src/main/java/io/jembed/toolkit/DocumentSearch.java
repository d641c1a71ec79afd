package io.jembed.toolkit;

import io.jembed.EmbeddingModel;
import io.jembed.Embeddings;
import io.jembed.EncodeOptions;
import io.jembed.JembedException;
import io.jembed.ModelInfo;
import io.jembed.SimilarityFunction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Semantic search over documents of any length: each document is split by a {@link Chunker} into
 * pieces that fit the model, every chunk is embedded, and a document scores as its best chunk. A
 * hit names the document and the chunk's offsets, so text past the model's limit is searched too,
 * never silently cut off.
 *
 * <pre>{@code
 * try (EmbeddingModel model = EmbeddingModel.load("all-MiniLM-L6-v2")) {
 *   DocumentSearch index = DocumentSearch.build(model, documents);
 *   List<DocumentHit> hits = index.search(model, "how do I run a website behind nginx?", 3);
 * }
 * }</pre>
 */
public final class DocumentSearch {
  private final ModelInfo model;
  private final List<Document> documents;
  private final int[] chunkDocument;
  private final Chunk[] chunks;
  private final int[] chunkCounts;
  private final float[][] vectors;

  private DocumentSearch(
      ModelInfo model,
      List<Document> documents,
      int[] chunkDocument,
      Chunk[] chunks,
      float[][] vectors) {
    this.model = model;
    this.documents = List.copyOf(documents);
    this.chunkDocument = chunkDocument;
    this.chunks = chunks;
    this.vectors = vectors;
    this.chunkCounts = new int[documents.size()];
    for (int d : chunkDocument) {
      chunkCounts[d]++;
    }
  }

  /** Chunks with the model's budget and embeds them as documents (default encode options). */
  public static DocumentSearch build(EmbeddingModel model, List<Document> documents) {
    return build(model, documents, Chunker.forModel(model), EncodeOptions.defaults());
  }

  /** Chunks every document with {@code chunker} and embeds the chunks as documents. */
  public static DocumentSearch build(
      EmbeddingModel model, List<Document> documents, Chunker chunker, EncodeOptions options) {
    List<Integer> owner = new ArrayList<>();
    List<Chunk> all = new ArrayList<>();
    for (int d = 0; d < documents.size(); d++) {
      for (Chunk c : chunker.chunk(documents.get(d).text())) {
        owner.add(d);
        all.add(c);
      }
    }
    if (all.isEmpty()) {
      throw new JembedException("nothing to search: every document is empty");
    }
    List<String> texts = new ArrayList<>(all.size());
    for (Chunk c : all) {
      texts.add(c.text());
    }
    Embeddings embeddings = model.encodeDocument(texts, options);
    int[] chunkDocument = owner.stream().mapToInt(Integer::intValue).toArray();
    return new DocumentSearch(
        embeddings.model(),
        documents,
        chunkDocument,
        all.toArray(new Chunk[0]),
        embeddings.vectors());
  }

  /**
   * An index from parts made earlier (a cache): chunk i belongs to document {@code
   * chunkDocument[i]} and has vector {@code vectors[i]}.
   */
  public static DocumentSearch of(
      ModelInfo model,
      List<Document> documents,
      int[] chunkDocument,
      List<Chunk> chunks,
      float[][] vectors) {
    if (chunkDocument.length != chunks.size() || chunks.size() != vectors.length) {
      throw new IllegalArgumentException(
          "chunk table, chunks and vectors differ in length: "
              + chunkDocument.length
              + ", "
              + chunks.size()
              + ", "
              + vectors.length);
    }
    for (int d : chunkDocument) {
      if (d < 0 || d >= documents.size()) {
        throw new IllegalArgumentException("chunk of unknown document " + d);
      }
    }
    int dim = VectorScorer.checkVectors("chunk", vectors);
    if (vectors.length > 0 && dim != model.dimension()) {
      throw new IllegalArgumentException(
          "vectors have dimension " + dim + " but the model makes " + model.dimension());
    }
    return new DocumentSearch(
        model, documents, chunkDocument.clone(), chunks.toArray(new Chunk[0]), vectors);
  }

  /** The model (and options) that made the chunk vectors. */
  public ModelInfo model() {
    return model;
  }

  public List<Document> documents() {
    return documents;
  }

  public int chunkCount() {
    return chunks.length;
  }

  /** Chunk i (in document order). */
  public Chunk chunk(int i) {
    return chunks[i];
  }

  /** The document chunk i belongs to. */
  public int chunkDocument(int i) {
    return chunkDocument[i];
  }

  /** The chunk vectors (not copied). */
  public float[][] vectors() {
    return vectors;
  }

  /** Encodes the query with {@code model} (which must be the one that built this index). */
  public List<DocumentHit> search(EmbeddingModel model, String query, int k) {
    return search(model, List.of(query), k).get(0);
  }

  /** Encodes the queries as queries and returns the top-k documents for each. */
  public List<List<DocumentHit>> search(EmbeddingModel model, List<String> queries, int k) {
    for (String q : queries) {
      if (q == null || q.isBlank()) {
        throw new IllegalArgumentException("a query must not be blank");
      }
    }
    ModelInfo queryModel = model.info();
    if (!sameModel(queryModel, this.model)) {
      throw new JembedException(
          "these documents were embedded by "
              + this.model.identity()
              + ", not by "
              + queryModel.identity()
              + ": their vectors are not comparable");
    }
    float[][] q = model.encodeQuery(queries, EncodeOptions.defaults()).vectors();
    return search(q, k, this.model.similarity());
  }

  /** Same weights and vector length (normalization may differ: it is an encode option). */
  static boolean sameModel(ModelInfo a, ModelInfo b) {
    return a.provider().equals(b.provider())
        && a.id().equals(b.id())
        && a.revision().equals(b.revision())
        && a.dimension() == b.dimension();
  }

  /** The top-k documents per query vector, by best chunk. */
  public List<List<DocumentHit>> search(float[][] queries, int k, SimilarityFunction similarity) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1, got " + k);
    }
    int dim = VectorScorer.checkVectors("query", queries);
    if (queries.length > 0 && vectors.length > 0 && dim != vectors[0].length) {
      throw new IllegalArgumentException(
          "queries have dimension " + dim + " but the documents have " + vectors[0].length);
    }
    VectorScorer scorer = new VectorScorer(vectors, similarity);
    @SuppressWarnings("unchecked")
    List<DocumentHit>[] out = new List[queries.length];
    IntStream range = IntStream.range(0, queries.length);
    if (queries.length > 1) {
      range = range.parallel();
    }
    range.forEach(qi -> out[qi] = searchOne(scorer, queries[qi], k));
    return List.of(out);
  }

  private List<DocumentHit> searchOne(VectorScorer scorer, float[] query, int k) {
    int docs = documents.size();
    float[] best = new float[docs];
    int[] bestChunk = new int[docs];
    Arrays.fill(best, Float.NEGATIVE_INFINITY);
    Arrays.fill(bestChunk, -1);
    float factor = scorer.queryFactor(query);
    for (int c = 0; c < chunks.length; c++) {
      float s = scorer.score(query, factor, c);
      int d = chunkDocument[c];
      // the first chunk wins ties: scores only replace when strictly better
      if (bestChunk[d] < 0 || s > best[d]) {
        best[d] = s;
        bestChunk[d] = c;
      }
    }
    TopK top = new TopK(Math.min(k, docs));
    for (int d = 0; d < docs; d++) {
      if (bestChunk[d] >= 0) {
        top.offer(d, best[d]);
      }
    }
    List<DocumentHit> hits = new ArrayList<>();
    for (Hit h : top.sorted()) {
      int d = h.corpusId();
      hits.add(
          new DocumentHit(d, documents.get(d), h.score(), chunks[bestChunk[d]], chunkCounts[d]));
    }
    return List.copyOf(hits);
  }
}

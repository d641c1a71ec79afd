package io.jembed.toolkit;

import io.jembed.SimilarityFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Exact semantic search, like sentence-transformers' {@code util.semantic_search}: for every query,
 * the top-k corpus vectors by a similarity function.
 *
 * <p>Queries and corpus are processed in chunks (blocks of queries against blocks of corpus vectors
 * that stay in the CPU cache), and each query keeps a bounded top-k heap, so searching a million
 * vectors needs no queries-by-corpus matrix: memory is O(queries x k). Ties are broken by the lower
 * corpus id, so results do not depend on chunk sizes or threads. Queries are searched in parallel.
 */
public final class SemanticSearch {
  /** Queries per block (as in sentence-transformers). */
  public static final int DEFAULT_QUERY_CHUNK_SIZE = 100;

  /** Corpus vectors per parallel task. */
  public static final int DEFAULT_CORPUS_CHUNK_SIZE = 16384;

  /** Corpus vectors scored against every query before moving on: 256 x 384 floats = 384 KB. */
  static final int CACHE_BLOCK = 256;

  private SemanticSearch() {}

  /** Top-k by cosine similarity. */
  public static List<List<Hit>> search(float[][] queries, float[][] corpus, int topK) {
    return search(queries, corpus, topK, SimilarityFunction.COSINE);
  }

  /** Top-k by {@code similarity}; k larger than the corpus returns the whole corpus, ranked. */
  public static List<List<Hit>> search(
      float[][] queries, float[][] corpus, int topK, SimilarityFunction similarity) {
    return search(
        queries, corpus, topK, similarity, DEFAULT_QUERY_CHUNK_SIZE, DEFAULT_CORPUS_CHUNK_SIZE);
  }

  /**
   * Top-k by {@code similarity} with explicit block sizes; the result is the same for every block
   * size.
   *
   * @return per query, up to {@code topK} hits, best first
   */
  public static List<List<Hit>> search(
      float[][] queries,
      float[][] corpus,
      int topK,
      SimilarityFunction similarity,
      int queryChunkSize,
      int corpusChunkSize) {
    checkArguments(similarity, topK, queryChunkSize, corpusChunkSize);
    int qDim = VectorScorer.checkVectors("query", queries);
    int cDim = VectorScorer.checkVectors("corpus", corpus);
    if (queries.length > 0 && corpus.length > 0 && qDim != cDim) {
      throw new IllegalArgumentException(
          "queries have dimension " + qDim + " but the corpus has dimension " + cDim);
    }
    return run(
        queries,
        FloatCorpus.view(corpus, Math.max(cDim, 0)),
        topK,
        similarity,
        queryChunkSize,
        corpusChunkSize);
  }

  /**
   * Top-k by {@code similarity} over a contiguous {@link FloatCorpus}: the fastest exact search
   * (the same results as the {@code float[][]} overloads, bit for bit).
   */
  public static List<List<Hit>> search(
      float[][] queries, FloatCorpus corpus, int topK, SimilarityFunction similarity) {
    return search(
        queries, corpus, topK, similarity, DEFAULT_QUERY_CHUNK_SIZE, DEFAULT_CORPUS_CHUNK_SIZE);
  }

  /** Top-k for one query over a {@link FloatCorpus}. */
  public static List<Hit> search(
      float[] query, FloatCorpus corpus, int topK, SimilarityFunction similarity) {
    return search(new float[][] {query}, corpus, topK, similarity).get(0);
  }

  /** {@link #search(float[][], FloatCorpus, int, SimilarityFunction)} with explicit block sizes. */
  public static List<List<Hit>> search(
      float[][] queries,
      FloatCorpus corpus,
      int topK,
      SimilarityFunction similarity,
      int queryChunkSize,
      int corpusChunkSize) {
    if (corpus == null) {
      throw new IllegalArgumentException("corpus must not be null");
    }
    checkArguments(similarity, topK, queryChunkSize, corpusChunkSize);
    int qDim = VectorScorer.checkVectors("query", queries);
    if (queries.length > 0 && corpus.size() > 0 && qDim != corpus.dimension()) {
      throw new IllegalArgumentException(
          "queries have dimension " + qDim + " but the corpus has dimension " + corpus.dimension());
    }
    return run(queries, corpus, topK, similarity, queryChunkSize, corpusChunkSize);
  }

  /** Which similarity kernel runs here: SIMD (Panama) or scalar; for benchmark reports. */
  public static String kernel() {
    return DotKernel.INSTANCE.name();
  }

  private static void checkArguments(
      SimilarityFunction similarity, int topK, int queryChunkSize, int corpusChunkSize) {
    if (similarity == null) {
      throw new IllegalArgumentException("similarity function must not be null");
    }
    if (topK < 1) {
      throw new IllegalArgumentException("top k must be at least 1, got " + topK);
    }
    if (queryChunkSize < 1 || corpusChunkSize < 1) {
      throw new IllegalArgumentException(
          "chunk sizes must be at least 1, got " + queryChunkSize + " and " + corpusChunkSize);
    }
  }

  /** Copies queries [from, to) into one array, query after query, for the 4-query kernel. */
  static float[] flatten(float[][] queries, int from, int to, int dim) {
    long length = (long) (to - from) * dim;
    if (length > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("too many queries in one chunk: " + (to - from));
    }
    float[] flat = new float[(int) length];
    for (int q = from; q < to; q++) {
      System.arraycopy(queries[q], 0, flat, (q - from) * dim, dim);
    }
    return flat;
  }

  private static List<List<Hit>> run(
      float[][] queries,
      FloatCorpus corpus,
      int topK,
      SimilarityFunction similarity,
      int queryChunkSize,
      int corpusChunkSize) {
    int n = corpus.size();
    int dim = corpus.dimension();
    int k = Math.min(topK, n);
    TopK[] heaps = new TopK[queries.length];
    for (int q = 0; q < queries.length; q++) {
      heaps[q] = new TopK(k);
    }
    if (n > 0 && queries.length > 0) {
      float[] inverseNorms = similarity == SimilarityFunction.COSINE ? corpus.inverseNorms() : null;
      for (int qStart = 0; qStart < queries.length; qStart += queryChunkSize) {
        int from = qStart;
        int to = (int) Math.min(queries.length, (long) qStart + queryChunkSize);
        float[] flat = flatten(queries, from, to, dim);
        float[] queryFactors = new float[to - from];
        for (int q = 0; q < to - from; q++) {
          queryFactors[q] =
              inverseNorms == null ? 1f : VectorScorer.inverseNorm(flat, q * dim, dim);
        }
        TopK[] merged =
            scanParallel(
                n,
                corpusChunkSize,
                to - from,
                k,
                (cStart, cEnd, local) ->
                    scoreRange(
                        corpus, similarity, inverseNorms, flat, queryFactors, cStart, cEnd, local));
        for (int q = from; q < to; q++) {
          heaps[q] = merged[q - from];
        }
      }
    }
    List<List<Hit>> out = new ArrayList<>(queries.length);
    for (TopK heap : heaps) {
      out.add(List.copyOf(heap.sorted()));
    }
    return List.copyOf(out);
  }

  /** Scores corpus vectors [cStart, cEnd) against a chunk of queries into per-query heaps. */
  interface RangeScan {
    void scan(int cStart, int cEnd, TopK[] heaps);
  }

  /**
   * Splits [0, n) into chunks scanned in parallel (both cores for a single query), each into its
   * own heaps, then merges the heaps in chunk order: the result does not depend on the split.
   */
  static TopK[] scanParallel(int n, int chunkSize, int queries, int capacity, RangeScan scan) {
    int tasks = (int) ((n + (long) chunkSize - 1) / chunkSize);
    IntStream range = IntStream.range(0, tasks);
    if (tasks > 1) {
      range = range.parallel();
    }
    TopK[][] partial =
        range
            .mapToObj(
                t -> {
                  int cStart = (int) ((long) t * chunkSize);
                  int cEnd = (int) Math.min(n, (long) cStart + chunkSize);
                  TopK[] local = new TopK[queries];
                  for (int q = 0; q < queries; q++) {
                    local[q] = new TopK(capacity);
                  }
                  scan.scan(cStart, cEnd, local);
                  return local;
                })
            .toArray(TopK[][]::new);
    TopK[] merged = new TopK[queries];
    for (int q = 0; q < queries; q++) {
      merged[q] = new TopK(capacity);
      for (TopK[] local : partial) {
        merged[q].offerAll(local[q]);
      }
    }
    return merged;
  }

  private static void scoreRange(
      FloatCorpus corpus,
      SimilarityFunction similarity,
      float[] inverseNorms,
      float[] flat,
      float[] queryFactors,
      int cStart,
      int cEnd,
      TopK[] heaps) {
    DotKernel kernel = DotKernel.INSTANCE;
    int dim = corpus.dimension();
    int queries = heaps.length;
    boolean dotLike =
        similarity == SimilarityFunction.COSINE || similarity == SimilarityFunction.DOT;
    float[] four = new float[4];
    // each block stays in the CPU cache while every query of the chunk passes over it
    for (int b = cStart; b < cEnd; b += CACHE_BLOCK) {
      int bEnd = Math.min(cEnd, b + CACHE_BLOCK);
      int q = 0;
      if (dotLike) {
        // four queries per corpus vector read: the corpus is loaded once for all four
        for (; q + 4 <= queries; q += 4) {
          for (int j = b; j < bEnd; j++) {
            kernel.dot4(flat, q * dim, corpus.page(j), corpus.offset(j), dim, four);
            for (int i = 0; i < 4; i++) {
              float score =
                  inverseNorms == null
                      ? four[i]
                      : four[i] * (queryFactors[q + i] * inverseNorms[j]);
              heaps[q + i].offer(j, score);
            }
          }
        }
      }
      for (; q < queries; q++) {
        TopK heap = heaps[q];
        int qOff = q * dim;
        for (int j = b; j < bEnd; j++) {
          float[] page = corpus.page(j);
          int off = corpus.offset(j);
          float score =
              switch (similarity) {
                case COSINE ->
                    kernel.dot(flat, qOff, page, off, dim) * (queryFactors[q] * inverseNorms[j]);
                case DOT -> kernel.dot(flat, qOff, page, off, dim);
                case EUCLIDEAN ->
                    (float) -Math.sqrt(VectorScorer.squaredDistance(flat, qOff, page, off, dim));
                case MANHATTAN -> -VectorScorer.manhattan(flat, qOff, page, off, dim);
              };
          heap.offer(j, score);
        }
      }
    }
  }

  /** Top-k for one query. */
  public static List<Hit> search(
      float[] query, float[][] corpus, int topK, SimilarityFunction similarity) {
    return search(new float[][] {query}, corpus, topK, similarity).get(0);
  }
}

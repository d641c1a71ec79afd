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
    int qDim = VectorScorer.checkVectors("query", queries);
    int cDim = VectorScorer.checkVectors("corpus", corpus);
    if (queries.length > 0 && corpus.length > 0 && qDim != cDim) {
      throw new IllegalArgumentException(
          "queries have dimension " + qDim + " but the corpus has dimension " + cDim);
    }
    VectorScorer scorer = new VectorScorer(corpus, similarity);
    int k = Math.min(topK, corpus.length);
    TopK[] heaps = new TopK[queries.length];
    float[] queryFactors = new float[queries.length];
    for (int q = 0; q < queries.length; q++) {
      heaps[q] = new TopK(k);
      queryFactors[q] = scorer.queryFactor(queries[q]);
    }
    int tasks = (int) ((corpus.length + (long) corpusChunkSize - 1) / corpusChunkSize);
    for (int qStart = 0; qStart < queries.length; qStart += queryChunkSize) {
      int from = qStart;
      int to = (int) Math.min(queries.length, (long) qStart + queryChunkSize);
      // each task ranks one corpus chunk for all queries of this chunk; partial heaps are merged
      IntStream range = IntStream.range(0, tasks);
      if (tasks > 1) {
        range = range.parallel();
      }
      TopK[][] partial =
          range
              .mapToObj(
                  t -> {
                    int cStart = (int) ((long) t * corpusChunkSize);
                    int cEnd = (int) Math.min(corpus.length, (long) cStart + corpusChunkSize);
                    TopK[] local = new TopK[to - from];
                    for (int q = from; q < to; q++) {
                      local[q - from] = new TopK(k);
                    }
                    // blocks small enough to stay in the CPU cache while every query passes
                    for (int b = cStart; b < cEnd; b += CACHE_BLOCK) {
                      int bEnd = Math.min(cEnd, b + CACHE_BLOCK);
                      for (int q = from; q < to; q++) {
                        TopK heap = local[q - from];
                        float[] query = queries[q];
                        float factor = queryFactors[q];
                        for (int j = b; j < bEnd; j++) {
                          heap.offer(j, scorer.score(query, factor, j));
                        }
                      }
                    }
                    return local;
                  })
              .toArray(TopK[][]::new);
      for (TopK[] local : partial) {
        for (int q = from; q < to; q++) {
          heaps[q].offerAll(local[q - from]);
        }
      }
    }
    List<List<Hit>> out = new ArrayList<>(queries.length);
    for (TopK heap : heaps) {
      out.add(List.copyOf(heap.sorted()));
    }
    return List.copyOf(out);
  }

  /** Top-k for one query. */
  public static List<Hit> search(
      float[] query, float[][] corpus, int topK, SimilarityFunction similarity) {
    return search(new float[][] {query}, corpus, topK, similarity).get(0);
  }
}

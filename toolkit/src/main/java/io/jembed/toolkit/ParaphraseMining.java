package io.jembed.toolkit;

import io.jembed.SimilarityFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Paraphrase mining, like sentence-transformers' {@code util.paraphrase_mining_embeddings}: the
 * most similar pairs among a set of vectors, best first.
 *
 * <p>Two modes: <b>top-k per text</b> (the default, k = 100: each text contributes its k nearest
 * neighbours, optionally only those at or above a threshold) and <b>all pairs above a threshold</b>
 * ({@code topK(null)} with a {@code threshold}). Rows are processed in chunks with bounded heaps,
 * so memory stays O(texts x k + maxPairs), not O(texts^2): it runs on 100k+ texts (in quadratic
 * time, which is what exact mining costs).
 *
 * <pre>{@code
 * List<ScoredPair> pairs = ParaphraseMining.builder().threshold(0.8f).topK(null).build().mine(vectors);
 * }</pre>
 */
public final class ParaphraseMining {
  /** Rows that share a column block while it is in the CPU cache. */
  private static final int ROW_BLOCK = 32;

  private final Integer topK;
  private final float threshold;
  private final int maxPairs;
  private final SimilarityFunction similarity;
  private final int queryChunkSize;

  private ParaphraseMining(Builder b) {
    this.topK = b.topK;
    this.threshold = b.threshold;
    this.maxPairs = b.maxPairs;
    this.similarity = b.similarity;
    this.queryChunkSize = b.queryChunkSize;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Defaults of sentence-transformers: cosine, top 100 per text, at most 500,000 pairs. */
  public static List<ScoredPair> paraphraseMining(float[][] vectors) {
    return builder().build().mine(vectors);
  }

  /** Neighbours kept per text, or null for all pairs at or above the threshold. */
  public Integer topK() {
    return topK;
  }

  public float threshold() {
    return threshold;
  }

  public int maxPairs() {
    return maxPairs;
  }

  public SimilarityFunction similarity() {
    return similarity;
  }

  /** The best pairs (first &lt; second), highest score first; ties by (first, second). */
  public List<ScoredPair> mine(float[][] vectors) {
    VectorScorer.checkVectors("input", vectors);
    int n = vectors.length;
    VectorScorer scorer = new VectorScorer(vectors, similarity);
    // a pair can arrive twice (from each end in top-k mode): room for both copies of the best
    TopK best = new TopK((int) Math.min(Integer.MAX_VALUE - 8, 2L * maxPairs));
    for (int start = 0; start < n; start += queryChunkSize) {
      int end = (int) Math.min(n, (long) start + queryChunkSize);
      int blocks = (end - start + ROW_BLOCK - 1) / ROW_BLOCK;
      int chunkStart = start;
      IntStream.range(0, blocks)
          .parallel()
          .forEach(
              block -> {
                int from = chunkStart + block * ROW_BLOCK;
                int to = Math.min(end, from + ROW_BLOCK);
                TopK[] rows = new TopK[to - from];
                float[] factors = new float[to - from];
                for (int i = from; i < to; i++) {
                  int room = topK != null ? Math.min(topK, n - 1) : Math.min(maxPairs, n - 1 - i);
                  rows[i - from] = new TopK(Math.max(0, room));
                  factors[i - from] = scorer.queryFactor(vectors[i]);
                }
                // rows of this block share each column block while it is in the CPU cache
                int firstColumn = topK != null ? 0 : from + 1;
                for (int c = firstColumn; c < n; c += SemanticSearch.CACHE_BLOCK) {
                  int cEnd = Math.min(n, c + SemanticSearch.CACHE_BLOCK);
                  for (int i = from; i < to; i++) {
                    TopK row = rows[i - from];
                    float[] v = vectors[i];
                    float factor = factors[i - from];
                    int j0 = topK != null ? c : Math.max(c, i + 1);
                    for (int j = j0; j < cEnd; j++) {
                      if (j != i) {
                        float s = scorer.score(v, factor, j);
                        if (s >= threshold) {
                          row.offer(j, s);
                        }
                      }
                    }
                  }
                }
                synchronized (best) {
                  for (int i = from; i < to; i++) {
                    for (Hit h : rows[i - from].sorted()) {
                      best.offer(
                          TopK.pairKey(Math.min(i, h.corpusId()), Math.max(i, h.corpusId())),
                          h.score());
                    }
                  }
                }
              });
    }
    return distinctPairs(best, maxPairs);
  }

  /** Builder for {@link ParaphraseMining}. */
  public static final class Builder {
    private Integer topK = 100;
    private float threshold = Float.NEGATIVE_INFINITY;
    private int maxPairs = 500_000;
    private SimilarityFunction similarity = SimilarityFunction.COSINE;
    private int queryChunkSize = 5000;

    private Builder() {}

    /** Neighbours per text (default 100); null: every pair at or above the threshold. */
    public Builder topK(Integer topK) {
      if (topK != null && topK < 1) {
        throw new IllegalArgumentException("top k must be at least 1, got " + topK);
      }
      this.topK = topK;
      return this;
    }

    /** Only pairs scoring at least this (default: no threshold). */
    public Builder threshold(float threshold) {
      if (Float.isNaN(threshold)) {
        throw new IllegalArgumentException("threshold must be a number");
      }
      this.threshold = threshold;
      return this;
    }

    /** At most this many pairs in the result (default 500,000). */
    public Builder maxPairs(int maxPairs) {
      if (maxPairs < 1) {
        throw new IllegalArgumentException("max pairs must be at least 1, got " + maxPairs);
      }
      this.maxPairs = maxPairs;
      return this;
    }

    public Builder similarity(SimilarityFunction similarity) {
      if (similarity == null) {
        throw new IllegalArgumentException("similarity function must not be null");
      }
      this.similarity = similarity;
      return this;
    }

    /** Texts processed per block (default 5000); does not change the result. */
    public Builder queryChunkSize(int queryChunkSize) {
      if (queryChunkSize < 1) {
        throw new IllegalArgumentException(
            "query chunk size must be at least 1, got " + queryChunkSize);
      }
      this.queryChunkSize = queryChunkSize;
      return this;
    }

    public ParaphraseMining build() {
      return new ParaphraseMining(this);
    }
  }

  /** The best pairs of a heap keyed by {@link TopK#pairKey}, each pair once, best first. */
  static List<ScoredPair> distinctPairs(TopK best, int limit) {
    List<ScoredPair> out = new ArrayList<>();
    long previous = -1;
    for (int i : best.bestFirst()) {
      long key = best.key(i);
      if (key == previous) {
        continue;
      }
      previous = key;
      out.add(new ScoredPair(TopK.pairFirst(key), TopK.pairSecond(key), best.score(i)));
      if (out.size() == limit) {
        break;
      }
    }
    return List.copyOf(out);
  }
}

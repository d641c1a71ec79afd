package io.jembed.toolkit;

import io.jembed.SimilarityFunction;
import java.util.ArrayList;
import java.util.Arrays;
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
    PairHeap best = new PairHeap((int) Math.min(Integer.MAX_VALUE - 8, 2L * maxPairs));
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
                      best.offer(Math.min(i, h.corpusId()), Math.max(i, h.corpusId()), h.score());
                    }
                  }
                }
              });
    }
    return best.distinctSorted(maxPairs);
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

  /** The best pairs so far, worst at the root; pairs are keyed (first << 32 | second). */
  static final class PairHeap {
    private final int capacity;
    private float[] scores = new float[64];
    private long[] keys = new long[64];
    private int size;

    PairHeap(int capacity) {
      this.capacity = capacity;
    }

    private static boolean worse(float sa, long ka, float sb, long kb) {
      return sa < sb || (sa == sb && ka > kb);
    }

    void offer(int first, int second, float score) {
      long key = ((long) first << 32) | (second & 0xffffffffL);
      if (size < capacity) {
        if (size == scores.length) {
          int grown = (int) Math.min(capacity, (long) size * 2);
          scores = Arrays.copyOf(scores, grown);
          keys = Arrays.copyOf(keys, grown);
        }
        int i = size++;
        while (i > 0) {
          int parent = (i - 1) >>> 1;
          if (!worse(score, key, scores[parent], keys[parent])) {
            break;
          }
          scores[i] = scores[parent];
          keys[i] = keys[parent];
          i = parent;
        }
        scores[i] = score;
        keys[i] = key;
        return;
      }
      if (!worse(scores[0], keys[0], score, key)) {
        return;
      }
      int i = 0;
      while (true) {
        int left = 2 * i + 1;
        if (left >= size) {
          break;
        }
        int right = left + 1;
        int child =
            right < size && worse(scores[right], keys[right], scores[left], keys[left])
                ? right
                : left;
        if (!worse(scores[child], keys[child], score, key)) {
          break;
        }
        scores[i] = scores[child];
        keys[i] = keys[child];
        i = child;
      }
      scores[i] = score;
      keys[i] = key;
    }

    List<ScoredPair> distinctSorted(int limit) {
      Integer[] order = new Integer[size];
      for (int i = 0; i < size; i++) {
        order[i] = i;
      }
      Arrays.sort(
          order,
          (a, b) -> {
            if (scores[a] != scores[b]) {
              return scores[a] > scores[b] ? -1 : 1;
            }
            return Long.compare(keys[a], keys[b]);
          });
      List<ScoredPair> out = new ArrayList<>();
      long previous = -1;
      for (int i : order) {
        if (keys[i] == previous) {
          continue;
        }
        previous = keys[i];
        out.add(new ScoredPair((int) (keys[i] >>> 32), (int) keys[i], scores[i]));
        if (out.size() == limit) {
          break;
        }
      }
      return List.copyOf(out);
    }
  }
}

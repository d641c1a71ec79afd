package io.jembed.toolkit;

import io.jembed.SimilarityFunction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Fast community detection, as sentence-transformers' {@code util.community_detection}: every text
 * with at least {@code minCommunitySize} neighbours at or above {@code threshold} (itself included)
 * is a candidate center; candidates are taken largest first, each keeping only members not taken by
 * a larger community, and kept if they still have {@code minCommunitySize} members.
 *
 * <p>Rows are scored in parallel chunks against all vectors; no n x n matrix is built.
 */
public final class CommunityDetection {
  private final float threshold;
  private final int minCommunitySize;
  private final SimilarityFunction similarity;
  private final int chunkSize;

  private CommunityDetection(Builder b) {
    this.threshold = b.threshold;
    this.minCommunitySize = b.minCommunitySize;
    this.similarity = b.similarity;
    this.chunkSize = b.chunkSize;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Defaults of sentence-transformers: cosine, threshold 0.75, communities of 10 or more. */
  public static List<Community> detect(float[][] vectors) {
    return builder().build().detectCommunities(vectors);
  }

  public float threshold() {
    return threshold;
  }

  public int minCommunitySize() {
    return minCommunitySize;
  }

  /** Communities, largest first (ties: lower center first); members center first. */
  public List<Community> detectCommunities(float[][] vectors) {
    VectorScorer.checkVectors("input", vectors);
    int n = vectors.length;
    VectorScorer scorer = new VectorScorer(vectors, similarity);
    int[][] candidates = new int[n][];
    for (int start = 0; start < n; start += chunkSize) {
      int end = (int) Math.min(n, (long) start + chunkSize);
      int blocks = (end - start + ROW_BLOCK - 1) / ROW_BLOCK;
      int chunkStart = start;
      IntStream.range(0, blocks)
          .parallel()
          .forEach(
              b -> {
                int from = chunkStart + b * ROW_BLOCK;
                int to = Math.min(end, from + ROW_BLOCK);
                neighbours(scorer, from, to, candidates);
              });
    }
    List<int[]> ordered = new ArrayList<>();
    for (int[] c : candidates) {
      if (c != null) {
        ordered.add(c);
      }
    }
    // stable: equal sizes keep center order
    ordered.sort(Comparator.comparingInt((int[] c) -> c.length).reversed());
    BitSet taken = new BitSet(n);
    List<Community> out = new ArrayList<>();
    for (int[] candidate : ordered) {
      List<Integer> members = new ArrayList<>();
      for (int m : candidate) {
        if (!taken.get(m)) {
          members.add(m);
        }
      }
      if (members.size() >= minCommunitySize) {
        for (int m : members) {
          taken.set(m);
        }
        out.add(new Community(members));
      }
    }
    out.sort(Comparator.comparingInt(Community::size).reversed());
    return List.copyOf(out);
  }

  /** Rows that share a column block while it is in the CPU cache. */
  private static final int ROW_BLOCK = 32;

  /** For rows [from, to): the members (center first, then by score) if enough, else null. */
  private void neighbours(VectorScorer scorer, int from, int to, int[][] out) {
    int n = scorer.size();
    int rows = to - from;
    int[][] ids = new int[rows][16];
    float[][] scores = new float[rows][16];
    int[] counts = new int[rows];
    float[] factors = new float[rows];
    for (int r = 0; r < rows; r++) {
      factors[r] = scorer.queryFactor(scorer.vector(from + r));
    }
    for (int c = 0; c < n; c += SemanticSearch.CACHE_BLOCK) {
      int cEnd = Math.min(n, c + SemanticSearch.CACHE_BLOCK);
      for (int r = 0; r < rows; r++) {
        float[] v = scorer.vector(from + r);
        float factor = factors[r];
        for (int j = c; j < cEnd; j++) {
          float s = scorer.score(v, factor, j);
          if (s >= threshold) {
            int count = counts[r];
            if (count == ids[r].length) {
              ids[r] = Arrays.copyOf(ids[r], count * 2);
              scores[r] = Arrays.copyOf(scores[r], count * 2);
            }
            ids[r][count] = j;
            scores[r][count] = s;
            counts[r] = count + 1;
          }
        }
      }
    }
    for (int r = 0; r < rows; r++) {
      out[from + r] =
          counts[r] < minCommunitySize ? null : ordered(from + r, ids[r], scores[r], counts[r]);
    }
  }

  private static int[] ordered(int center, int[] id, float[] sc, int count) {
    Integer[] order = new Integer[count];
    for (int k = 0; k < count; k++) {
      order[k] = k;
    }
    Arrays.sort(
        order,
        (a, b) -> {
          // the center leads, whatever its self-similarity (dot products of unnormalized vectors)
          if (id[a] == center || id[b] == center) {
            return id[a] == center ? (id[b] == center ? 0 : -1) : 1;
          }
          if (sc[a] != sc[b]) {
            return sc[a] > sc[b] ? -1 : 1;
          }
          return Integer.compare(id[a], id[b]);
        });
    int[] out = new int[count];
    for (int k = 0; k < count; k++) {
      out[k] = id[order[k]];
    }
    return out;
  }

  /** Builder for {@link CommunityDetection}. */
  public static final class Builder {
    private float threshold = 0.75f;
    private int minCommunitySize = 10;
    private SimilarityFunction similarity = SimilarityFunction.COSINE;
    private int chunkSize = 1024;

    private Builder() {}

    /** Similarity at which two texts count as close (default 0.75). */
    public Builder threshold(float threshold) {
      if (Float.isNaN(threshold)) {
        throw new IllegalArgumentException("threshold must be a number");
      }
      this.threshold = threshold;
      return this;
    }

    /** Smallest community returned, center included (default 10). */
    public Builder minCommunitySize(int minCommunitySize) {
      if (minCommunitySize < 1) {
        throw new IllegalArgumentException(
            "minimum community size must be at least 1, got " + minCommunitySize);
      }
      this.minCommunitySize = minCommunitySize;
      return this;
    }

    public Builder similarity(SimilarityFunction similarity) {
      if (similarity == null) {
        throw new IllegalArgumentException("similarity function must not be null");
      }
      this.similarity = similarity;
      return this;
    }

    /** Rows scored per block (default 1024, as sentence-transformers' batch size). */
    public Builder chunkSize(int chunkSize) {
      if (chunkSize < 1) {
        throw new IllegalArgumentException("chunk size must be at least 1, got " + chunkSize);
      }
      this.chunkSize = chunkSize;
      return this;
    }

    public CommunityDetection build() {
      return new CommunityDetection(this);
    }
  }
}

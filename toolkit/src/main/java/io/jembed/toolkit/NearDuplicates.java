package io.jembed.toolkit;

import io.jembed.SimilarityFunction;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/**
 * Near-duplicate detection: texts joined when their similarity reaches a high threshold (0.95 by
 * default), grouped transitively (if a~b and b~c, then {a, b, c}). Each group lists its members in
 * input order; the first is the one to keep.
 */
public final class NearDuplicates {
  public static final float DEFAULT_THRESHOLD = 0.95f;

  private NearDuplicates() {}

  /** Groups of two or more near-duplicates by cosine similarity at or above 0.95. */
  public static List<Community> find(float[][] vectors) {
    return find(vectors, DEFAULT_THRESHOLD, SimilarityFunction.COSINE);
  }

  /** Groups of two or more texts joined by pairs scoring at least {@code threshold}. */
  public static List<Community> find(
      float[][] vectors, float threshold, SimilarityFunction similarity) {
    List<ScoredPair> pairs =
        ParaphraseMining.builder()
            .topK(null)
            .threshold(threshold)
            .maxPairs(Integer.MAX_VALUE / 2)
            .similarity(similarity)
            .build()
            .mine(vectors);
    int[] parent = new int[vectors.length];
    for (int i = 0; i < parent.length; i++) {
      parent[i] = i;
    }
    for (ScoredPair p : pairs) {
      int a = root(parent, p.first());
      int b = root(parent, p.second());
      if (a != b) {
        parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
    TreeMap<Integer, List<Integer>> groups = new TreeMap<>();
    for (int i = 0; i < parent.length; i++) {
      groups.computeIfAbsent(root(parent, i), r -> new ArrayList<>()).add(i);
    }
    List<Community> out = new ArrayList<>();
    for (List<Integer> g : groups.values()) {
      if (g.size() > 1) {
        out.add(new Community(g));
      }
    }
    out.sort(Comparator.comparingInt(Community::size).reversed());
    return List.copyOf(out);
  }

  private static int root(int[] parent, int i) {
    while (parent[i] != i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  }
}

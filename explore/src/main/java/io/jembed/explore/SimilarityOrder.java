package io.jembed.explore;

import java.util.ArrayList;
import java.util.List;

/**
 * A clustered order for a similarity matrix: average-linkage agglomerative clustering, merging the
 * two most similar clusters until one is left, and joining each pair at the ends that are most
 * alike, so similar texts sit next to each other and blocks show on the heatmap. Cubic in the
 * number of texts, which {@code /compare} keeps to 100.
 */
final class SimilarityOrder {
  private SimilarityOrder() {}

  static int[] of(float[][] matrix) {
    int n = matrix.length;
    List<List<Integer>> clusters = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      clusters.add(new ArrayList<>(List.of(i)));
    }
    while (clusters.size() > 1) {
      int bestA = 0;
      int bestB = 1;
      double best = Double.NEGATIVE_INFINITY;
      for (int a = 0; a < clusters.size(); a++) {
        for (int b = a + 1; b < clusters.size(); b++) {
          double s = average(matrix, clusters.get(a), clusters.get(b));
          if (s > best) {
            best = s;
            bestA = a;
            bestB = b;
          }
        }
      }
      List<Integer> merged = join(matrix, clusters.get(bestA), clusters.get(bestB));
      clusters.remove(bestB);
      clusters.set(bestA, merged);
    }
    return n == 0 ? new int[0] : clusters.get(0).stream().mapToInt(Integer::intValue).toArray();
  }

  private static double average(float[][] m, List<Integer> a, List<Integer> b) {
    double sum = 0;
    for (int i : a) {
      for (int j : b) {
        sum += m[i][j];
      }
    }
    return sum / (a.size() * b.size());
  }

  /** a then b, each possibly reversed, so that the two ends that meet are the most similar. */
  private static List<Integer> join(float[][] m, List<Integer> a, List<Integer> b) {
    int aFirst = a.get(0);
    int aLast = a.get(a.size() - 1);
    int bFirst = b.get(0);
    int bLast = b.get(b.size() - 1);
    float[] options = {m[aLast][bFirst], m[aLast][bLast], m[aFirst][bFirst], m[aFirst][bLast]};
    int best = 0;
    for (int i = 1; i < options.length; i++) {
      if (options[i] > options[best]) {
        best = i;
      }
    }
    List<Integer> left = new ArrayList<>(a);
    List<Integer> right = new ArrayList<>(b);
    if (best >= 2) {
      java.util.Collections.reverse(left);
    }
    if (best == 1 || best == 3) {
      java.util.Collections.reverse(right);
    }
    left.addAll(right);
    return left;
  }
}

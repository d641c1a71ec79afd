package io.jembed.plot;

import io.jembed.JembedException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** How well a 2-D map keeps labelled groups apart: for tests, benchmarks and sanity checks. */
public final class MapMetrics {
  private MapMetrics() {}

  /**
   * Mean silhouette of the points by label (Euclidean, in the map): near 1 when groups are tight
   * and far apart, near 0 when they overlap. Points alone in their group count as 0, as in
   * scikit-learn.
   */
  public static double silhouette(double[][] xy, List<String> labels) {
    int n = check(xy, labels);
    Map<String, Integer> ids = new HashMap<>();
    int[] g = new int[n];
    for (int i = 0; i < n; i++) {
      g[i] = ids.computeIfAbsent(labels.get(i), k -> ids.size());
    }
    int groups = ids.size();
    if (groups < 2) {
      throw new JembedException("silhouette needs at least two different labels");
    }
    int[] size = new int[groups];
    for (int v : g) {
      size[v]++;
    }
    double total = 0;
    for (int i = 0; i < n; i++) {
      double[] sum = new double[groups];
      for (int j = 0; j < n; j++) {
        if (j != i) {
          sum[g[j]] += dist(xy[i], xy[j]);
        }
      }
      if (size[g[i]] < 2) {
        continue;
      }
      double a = sum[g[i]] / (size[g[i]] - 1);
      double b = Double.POSITIVE_INFINITY;
      for (int k = 0; k < groups; k++) {
        if (k != g[i]) {
          b = Math.min(b, sum[k] / size[k]);
        }
      }
      total += (b - a) / Math.max(a, b);
    }
    return total / n;
  }

  /** The share of points whose nearest neighbour on the map has the same label. */
  public static double nearestNeighbourAgreement(double[][] xy, List<String> labels) {
    int n = check(xy, labels);
    int agree = 0;
    for (int i = 0; i < n; i++) {
      int best = -1;
      double bestD = Double.POSITIVE_INFINITY;
      for (int j = 0; j < n; j++) {
        double d = dist(xy[i], xy[j]);
        if (j != i && d < bestD) {
          bestD = d;
          best = j;
        }
      }
      if (labels.get(i).equals(labels.get(best))) {
        agree++;
      }
    }
    return (double) agree / n;
  }

  private static int check(double[][] xy, List<String> labels) {
    if (xy.length != labels.size()) {
      throw new JembedException("got " + xy.length + " points but " + labels.size() + " labels");
    }
    if (xy.length < 2) {
      throw new JembedException("need at least two points");
    }
    return xy.length;
  }

  private static double dist(double[] a, double[] b) {
    double dx = a[0] - b[0];
    double dy = a[1] - b[1];
    return Math.sqrt(dx * dx + dy * dy);
  }
}

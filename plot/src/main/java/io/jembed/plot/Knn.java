package io.jembed.plot;

import java.util.concurrent.ForkJoinPool;

/**
 * Exact k nearest neighbours by brute force (parallel over points). For the sizes a map is drawn of
 * (up to tens of thousands of points, after PCA to 50 dimensions) this takes seconds and has no
 * approximation error. Neighbours exclude the point itself and come sorted by distance, ties by
 * index, so results are deterministic.
 */
final class Knn {
  final int[][] indices;

  /** Euclidean distances (not squared), ascending. */
  final double[][] distances;

  private Knn(int[][] indices, double[][] distances) {
    this.indices = indices;
    this.distances = distances;
  }

  static Knn compute(double[][] x, int k, ForkJoinPool pool) {
    int n = x.length;
    int kk = Math.min(k, n - 1);
    int[][] idx = new int[n][kk];
    double[][] dist = new double[n][kk];
    double[] sq = new double[n];
    for (int i = 0; i < n; i++) {
      sq[i] = Pca.dot(x[i], x[i]);
    }
    Pca.run(
        pool,
        n,
        i -> {
          // bounded max-heap on (distance, index)
          double[] hd = new double[kk];
          int[] hi = new int[kk];
          int size = 0;
          double[] xi = x[i];
          for (int j = 0; j < n; j++) {
            if (j == i) {
              continue;
            }
            double d2 = Math.max(0, sq[i] + sq[j] - 2 * Pca.dot(xi, x[j]));
            if (size < kk) {
              hd[size] = d2;
              hi[size] = j;
              siftUp(hd, hi, size++);
            } else if (d2 < hd[0] || (d2 == hd[0] && j < hi[0])) {
              hd[0] = d2;
              hi[0] = j;
              siftDown(hd, hi, size);
            }
          }
          // pop in descending order into the tail
          for (int s = size - 1; s >= 0; s--) {
            idx[i][s] = hi[0];
            dist[i][s] = Math.sqrt(hd[0]);
            hd[0] = hd[s];
            hi[0] = hi[s];
            siftDown(hd, hi, s);
          }
        });
    return new Knn(idx, dist);
  }

  private static boolean greater(double[] hd, int[] hi, int a, int b) {
    return hd[a] > hd[b] || (hd[a] == hd[b] && hi[a] > hi[b]);
  }

  private static void siftUp(double[] hd, int[] hi, int c) {
    while (c > 0) {
      int p = (c - 1) / 2;
      if (!greater(hd, hi, c, p)) {
        return;
      }
      swap(hd, hi, c, p);
      c = p;
    }
  }

  private static void siftDown(double[] hd, int[] hi, int size) {
    int p = 0;
    while (true) {
      int l = 2 * p + 1;
      int r = l + 1;
      int m = p;
      if (l < size && greater(hd, hi, l, m)) {
        m = l;
      }
      if (r < size && greater(hd, hi, r, m)) {
        m = r;
      }
      if (m == p) {
        return;
      }
      swap(hd, hi, p, m);
      p = m;
    }
  }

  private static void swap(double[] hd, int[] hi, int a, int b) {
    double t = hd[a];
    hd[a] = hd[b];
    hd[b] = t;
    int u = hi[a];
    hi[a] = hi[b];
    hi[b] = u;
  }
}

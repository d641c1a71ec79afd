package io.jembed.plot;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import org.apache.commons.math3.analysis.ParametricUnivariateFunction;
import org.apache.commons.math3.fitting.SimpleCurveFitter;
import org.apache.commons.math3.fitting.WeightedObservedPoints;

/**
 * UMAP (McInnes, Healy and Melville 2018), following umap-learn: a fuzzy simplicial set from the k
 * nearest neighbours (smooth_knn_dist: per-point rho and sigma so that memberships sum to log2(k)),
 * fuzzy union of the two directions, then stochastic gradient descent with the low-dimensional
 * kernel 1 / (1 + a d^2b), edges sampled in proportion to their weight and 5 negative samples each.
 * Initialised from the first two principal components (umap-learn's init="pca") rather than a
 * spectral layout. The SGD runs on one thread with one seeded random stream, so a seed always gives
 * the same map.
 */
final class Umap {
  private static final double SMOOTH_K_TOLERANCE = 1e-5;
  private static final double MIN_K_DIST_SCALE = 1e-3;
  private static final int NEGATIVE_SAMPLE_RATE = 5;

  private Umap() {}

  /** Fitted (a, b) of the curve 1 / (1 + a x^2b) for min_dist and spread 1. */
  record Curve(double a, double b) {}

  static double[][] run(
      double[][] x,
      int neighbors,
      double minDist,
      int epochs,
      double[][] init,
      long seed,
      ForkJoinPool pool,
      Progress progress) {
    int n = x.length;
    int k = Math.min(neighbors - 1, n - 1);
    Knn knn = Knn.compute(x, k, pool);
    double[][] w = memberships(knn, neighbors);
    Graph g = fuzzyUnion(knn.indices, w);
    progress.step();
    Curve curve = fitCurve(1.0, minDist);
    double[] emb = initialLayout(init, seed);
    optimize(emb, n, g, epochs, curve, seed, progress);
    double[][] out = new double[n][2];
    for (int i = 0; i < n; i++) {
      out[i][0] = emb[2 * i];
      out[i][1] = emb[2 * i + 1];
    }
    return out;
  }

  /** umap-learn's smooth_knn_dist + compute_membership_strengths. */
  static double[][] memberships(Knn knn, int neighbors) {
    int n = knn.indices.length;
    double target = Math.log(neighbors) / Math.log(2);
    double meanAll = 0;
    long count = 0;
    for (double[] row : knn.distances) {
      for (double d : row) {
        meanAll += d;
        count++;
      }
    }
    meanAll = count == 0 ? 0 : meanAll / count;
    double[][] w = new double[n][];
    for (int i = 0; i < n; i++) {
      double[] d = knn.distances[i];
      double rho = 0;
      for (double v : d) {
        if (v > 0) {
          rho = v;
          break;
        }
      }
      double lo = 0;
      double hi = Double.POSITIVE_INFINITY;
      double mid = 1;
      for (int it = 0; it < 64; it++) {
        double psum = 0;
        for (double v : d) {
          double t = v - rho;
          psum += t > 0 ? Math.exp(-t / mid) : 1;
        }
        if (Math.abs(psum - target) < SMOOTH_K_TOLERANCE) {
          break;
        }
        if (psum > target) {
          hi = mid;
          mid = (lo + hi) / 2;
        } else {
          lo = mid;
          mid = hi == Double.POSITIVE_INFINITY ? mid * 2 : (lo + hi) / 2;
        }
      }
      double mean = 0;
      for (double v : d) {
        mean += v;
      }
      mean = d.length == 0 ? 0 : mean / d.length;
      double sigma = Math.max(mid, MIN_K_DIST_SCALE * (rho > 0 ? mean : meanAll));
      w[i] = new double[d.length];
      for (int j = 0; j < d.length; j++) {
        double t = d[j] - rho;
        w[i][j] = t <= 0 || sigma == 0 ? 1 : Math.exp(-t / sigma);
      }
    }
    return w;
  }

  /** Symmetric graph as edge arrays (both directions present). */
  record Graph(int[] head, int[] tail, double[] weight) {}

  /** Fuzzy set union: w_ij + w_ji - w_ij * w_ji. */
  static Graph fuzzyUnion(int[][] idx, double[][] w) {
    int n = idx.length;
    // entries (row, col, value) of A and of A^T, sorted by (row, col), then merged
    int m = 0;
    for (int[] r : idx) {
      m += r.length;
    }
    long[] keys = new long[2 * m];
    double[] vals = new double[2 * m];
    int[] src = new int[2 * m]; // 0 = from A, 1 = from A^T
    int e = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < idx[i].length; j++) {
        int c = idx[i][j];
        keys[e] = (long) i * n + c;
        vals[e] = w[i][j];
        src[e++] = 0;
        keys[e] = (long) c * n + i;
        vals[e] = w[i][j];
        src[e++] = 1;
      }
    }
    Integer[] order = new Integer[2 * m];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Long.compare(keys[a], keys[b]));
    int[] head = new int[2 * m];
    int[] tail = new int[2 * m];
    double[] weight = new double[2 * m];
    int out = 0;
    for (int p = 0; p < order.length; ) {
      long key = keys[order[p]];
      double a = 0;
      double at = 0;
      while (p < order.length && keys[order[p]] == key) {
        if (src[order[p]] == 0) {
          a = vals[order[p]];
        } else {
          at = vals[order[p]];
        }
        p++;
      }
      double v = a + at - a * at;
      if (v > 0) {
        head[out] = (int) (key / n);
        tail[out] = (int) (key % n);
        weight[out++] = v;
      }
    }
    return new Graph(
        Arrays.copyOf(head, out), Arrays.copyOf(tail, out), Arrays.copyOf(weight, out));
  }

  /** Fits 1 / (1 + a x^2b) to the target membership curve, as umap-learn's find_ab_params. */
  static Curve fitCurve(double spread, double minDist) {
    WeightedObservedPoints pts = new WeightedObservedPoints();
    for (int i = 0; i < 300; i++) {
      double xv = spread * 3 * i / 299.0;
      double yv = xv < minDist ? 1 : Math.exp(-(xv - minDist) / spread);
      pts.add(xv, yv);
    }
    ParametricUnivariateFunction f =
        new ParametricUnivariateFunction() {
          @Override
          public double value(double xv, double... p) {
            return 1 / (1 + p[0] * Math.pow(xv, 2 * p[1]));
          }

          @Override
          public double[] gradient(double xv, double... p) {
            if (xv <= 0) {
              return new double[] {0, 0};
            }
            double xb = Math.pow(xv, 2 * p[1]);
            double den = 1 + p[0] * xb;
            double den2 = den * den;
            return new double[] {-xb / den2, -p[0] * xb * 2 * Math.log(xv) / den2};
          }
        };
    double[] ab =
        SimpleCurveFitter.create(f, new double[] {1, 1})
            .withMaxIterations(10_000)
            .fit(pts.toList());
    return new Curve(ab[0], ab[1]);
  }

  /** Scales the initial layout to [0, 10] per axis with a little seeded noise (as umap-learn). */
  static double[] initialLayout(double[][] init, long seed) {
    int n = init.length;
    double maxAbs = 0;
    for (double[] p : init) {
      maxAbs = Math.max(maxAbs, Math.max(Math.abs(p[0]), Math.abs(p[1])));
    }
    double expansion = maxAbs > 0 ? 10 / maxAbs : 1;
    SplittableRandom r = new SplittableRandom(seed);
    double[] emb = new double[2 * n];
    for (int i = 0; i < n; i++) {
      emb[2 * i] = init[i][0] * expansion + Tsne.gaussian(r) * 1e-4;
      emb[2 * i + 1] = init[i][1] * expansion + Tsne.gaussian(r) * 1e-4;
    }
    for (int c = 0; c < 2; c++) {
      double min = Double.POSITIVE_INFINITY;
      double max = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < n; i++) {
        min = Math.min(min, emb[2 * i + c]);
        max = Math.max(max, emb[2 * i + c]);
      }
      double range = max - min;
      for (int i = 0; i < n; i++) {
        emb[2 * i + c] = range > 0 ? 10 * (emb[2 * i + c] - min) / range : 5;
      }
    }
    return emb;
  }

  private static double clip(double v) {
    return v > 4 ? 4 : (v < -4 ? -4 : v);
  }

  /** umap-learn's optimize_layout_euclidean (move_other, gamma 1, initial alpha 1). */
  static void optimize(
      double[] emb, int n, Graph g, int epochs, Curve curve, long seed, Progress progress) {
    double a = curve.a();
    double b = curve.b();
    double maxW = 0;
    for (double v : g.weight()) {
      maxW = Math.max(maxW, v);
    }
    int m = g.weight().length;
    double[] epochsPerSample = new double[m];
    for (int e = 0; e < m; e++) {
      // edges too weak to be sampled even once in all epochs are dropped
      double v = g.weight()[e];
      epochsPerSample[e] = v < maxW / epochs ? -1 : maxW / v;
    }
    double[] epochsPerNegative = new double[m];
    double[] nextSample = new double[m];
    double[] nextNegative = new double[m];
    for (int e = 0; e < m; e++) {
      epochsPerNegative[e] = epochsPerSample[e] / NEGATIVE_SAMPLE_RATE;
      nextSample[e] = epochsPerSample[e];
      nextNegative[e] = epochsPerNegative[e];
    }
    SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
    int[] head = g.head();
    int[] tail = g.tail();
    for (int epoch = 0; epoch < epochs; epoch++) {
      double alpha = 1.0 - (double) epoch / epochs;
      for (int e = 0; e < m; e++) {
        if (epochsPerSample[e] <= 0 || nextSample[e] > epoch) {
          continue;
        }
        int j = head[e];
        int k = tail[e];
        double dx = emb[2 * j] - emb[2 * k];
        double dy = emb[2 * j + 1] - emb[2 * k + 1];
        double d2 = dx * dx + dy * dy;
        if (d2 > 0) {
          double d2b = Math.pow(d2, b);
          double coeff = -2 * a * b * (d2b / d2) / (a * d2b + 1);
          double gx = clip(coeff * dx) * alpha;
          double gy = clip(coeff * dy) * alpha;
          emb[2 * j] += gx;
          emb[2 * j + 1] += gy;
          emb[2 * k] -= gx;
          emb[2 * k + 1] -= gy;
        }
        nextSample[e] += epochsPerSample[e];
        int negatives = (int) ((epoch - nextNegative[e]) / epochsPerNegative[e]);
        for (int s = 0; s < negatives; s++) {
          int other = random.nextInt(n);
          if (other == j) {
            continue;
          }
          double ox = emb[2 * j] - emb[2 * other];
          double oy = emb[2 * j + 1] - emb[2 * other + 1];
          double o2 = ox * ox + oy * oy;
          if (o2 > 0) {
            double coeff = 2 * b / ((0.001 + o2) * (a * Math.pow(o2, b) + 1));
            emb[2 * j] += clip(coeff * ox) * alpha;
            emb[2 * j + 1] += clip(coeff * oy) * alpha;
          }
        }
        nextNegative[e] += negatives * epochsPerNegative[e];
      }
      progress.step();
    }
  }
}

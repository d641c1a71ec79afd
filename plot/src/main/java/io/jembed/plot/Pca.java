package io.jembed.plot;

import io.jembed.JembedException;
import java.util.Arrays;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.RealMatrix;

/**
 * Principal component analysis: the data centred and projected onto the eigenvectors of its
 * covariance with the largest eigenvalues. With fewer points than dimensions the n x n Gram matrix
 * is decomposed instead (same scores, much smaller). Signs are fixed so that results are
 * reproducible: in every component the score of largest magnitude is positive.
 */
public final class Pca {
  private final double[][] scores;
  private final double[] explainedVarianceRatio;

  private Pca(double[][] scores, double[] explainedVarianceRatio) {
    this.scores = scores;
    this.explainedVarianceRatio = explainedVarianceRatio;
  }

  /** Fits PCA on n x d rows and keeps {@code components} (at most min(n, d)). */
  public static Pca fit(double[][] data, int components) {
    return fit(data, components, ForkJoinPool.commonPool());
  }

  static Pca fit(double[][] data, int components, ForkJoinPool pool) {
    int n = data.length;
    if (n == 0) {
      throw new JembedException("PCA needs at least one point");
    }
    int d = data[0].length;
    int k = Math.min(components, Math.min(n, d));
    double[][] x = center(data);
    double totalVariance = 0;
    for (double[] row : x) {
      for (double v : row) {
        totalVariance += v * v;
      }
    }
    double[][] scores = new double[n][k];
    double[] ratio = new double[k];
    if (n <= d) {
      // Gram matrix G = X X^T; its eigenvectors u_i scaled by sqrt(lambda_i) are the scores
      double[][] gram = new double[n][n];
      run(
          pool,
          n,
          i -> {
            for (int j = 0; j <= i; j++) {
              gram[i][j] = dot(x[i], x[j]);
            }
          });
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < i; j++) {
          gram[j][i] = gram[i][j];
        }
      }
      Eigen e = eigen(gram);
      for (int c = 0; c < k; c++) {
        double lambda = Math.max(0, e.values[c]);
        double s = Math.sqrt(lambda);
        for (int i = 0; i < n; i++) {
          scores[i][c] = e.vectors[c][i] * s;
        }
        ratio[c] = totalVariance > 0 ? lambda / totalVariance : 0;
      }
    } else {
      double[][] cov = new double[d][d];
      run(
          pool,
          d,
          a -> {
            double[] row = cov[a];
            for (double[] p : x) {
              double pa = p[a];
              if (pa != 0) {
                for (int b = 0; b <= a; b++) {
                  row[b] += pa * p[b];
                }
              }
            }
          });
      for (int a = 0; a < d; a++) {
        for (int b = 0; b < a; b++) {
          cov[b][a] = cov[a][b];
        }
      }
      Eigen e = eigen(cov);
      double[][] axes = new double[k][];
      for (int c = 0; c < k; c++) {
        axes[c] = e.vectors[c];
        ratio[c] = totalVariance > 0 ? Math.max(0, e.values[c]) / totalVariance : 0;
      }
      run(
          pool,
          n,
          i -> {
            for (int c = 0; c < k; c++) {
              scores[i][c] = dot(x[i], axes[c]);
            }
          });
    }
    fixSigns(scores, k);
    return new Pca(scores, ratio);
  }

  /** n x components: the coordinates of every point along the principal axes. */
  public double[][] scores() {
    double[][] c = new double[scores.length][];
    for (int i = 0; i < scores.length; i++) {
      c[i] = scores[i].clone();
    }
    return c;
  }

  double[][] scoresView() {
    return scores;
  }

  /** The share of total variance along each kept component. */
  public double[] explainedVarianceRatio() {
    return explainedVarianceRatio.clone();
  }

  private static double[][] center(double[][] data) {
    int n = data.length;
    int d = data[0].length;
    double[] mean = new double[d];
    for (double[] row : data) {
      if (row.length != d) {
        throw new JembedException("all vectors must have the same dimension");
      }
      for (int j = 0; j < d; j++) {
        mean[j] += row[j];
      }
    }
    for (int j = 0; j < d; j++) {
      mean[j] /= n;
    }
    double[][] x = new double[n][d];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        x[i][j] = data[i][j] - mean[j];
      }
    }
    return x;
  }

  private static void fixSigns(double[][] scores, int k) {
    for (int c = 0; c < k; c++) {
      double best = 0;
      for (double[] s : scores) {
        if (Math.abs(s[c]) > Math.abs(best)) {
          best = s[c];
        }
      }
      if (best < 0) {
        for (double[] s : scores) {
          s[c] = -s[c];
        }
      }
    }
  }

  private record Eigen(double[] values, double[][] vectors) {}

  /** Eigenvalues in descending order with their eigenvectors (vectors[c] is the c-th). */
  private static Eigen eigen(double[][] symmetric) {
    RealMatrix m = new Array2DRowRealMatrix(symmetric, false);
    EigenDecomposition e = new EigenDecomposition(m);
    double[] values = e.getRealEigenvalues();
    Integer[] order = new Integer[values.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(values[b], values[a]));
    double[] sorted = new double[values.length];
    double[][] vectors = new double[values.length][];
    for (int i = 0; i < order.length; i++) {
      sorted[i] = values[order[i]];
      vectors[i] = e.getEigenvector(order[i]).toArray();
    }
    return new Eigen(sorted, vectors);
  }

  static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  static void run(ForkJoinPool pool, int n, java.util.function.IntConsumer body) {
    if (n < 64 || pool.getParallelism() == 1) {
      for (int i = 0; i < n; i++) {
        body.accept(i);
      }
      return;
    }
    pool.submit(() -> IntStream.range(0, n).parallel().forEach(body)).join();
  }
}

package io.jembed.plot;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;

/**
 * t-SNE (van der Maaten and Hinton 2008), with exact gradients for small inputs and Barnes-Hut (van
 * der Maaten 2014) above: input similarities from the 3 * perplexity nearest neighbours, repulsion
 * through a quadtree. Optimisation as in scikit-learn: early exaggeration 12 for 250 iterations
 * with momentum 0.5, then momentum 0.8; per-coordinate gains; learning rate max(n / 12 / 4, 50).
 * Every parallel step writes per-point results that are then summed in a fixed order, so a run is
 * deterministic whatever the thread count.
 */
final class Tsne {
  static final double EARLY_EXAGGERATION = 12;
  static final int EXAGGERATION_ITERATIONS = 250;

  private Tsne() {}

  /** Sparse symmetric P in CSR form. */
  record SparseP(int[] rowStart, int[] cols, double[] vals) {}

  /**
   * @param x input points (n x d)
   * @param init initial 2-D layout (n x 2), already scaled small
   */
  static double[][] run(
      double[][] x,
      double perplexity,
      double[][] init,
      ProjectionOptions o,
      ForkJoinPool pool,
      Progress progress) {
    int n = x.length;
    boolean exact = n <= o.exactThreshold();
    double[] pDense = null;
    SparseP pSparse = null;
    if (exact) {
      pDense = exactP(x, perplexity, pool);
    } else {
      int k = Math.min(n - 1, (int) (3 * perplexity));
      pSparse = sparseP(Knn.compute(x, k, pool), perplexity, pool);
    }
    progress.step(); // similarities done
    double[] y = new double[2 * n];
    for (int i = 0; i < n; i++) {
      y[2 * i] = init[i][0];
      y[2 * i + 1] = init[i][1];
    }
    double learningRate = Math.max(n / EARLY_EXAGGERATION / 4, 50);
    double[] grad = new double[2 * n];
    double[] update = new double[2 * n];
    double[] gains = new double[2 * n];
    Arrays.fill(gains, 1);
    double[] rowZ = new double[n];
    double[] attr = new double[2 * n];
    double[] rep = new double[2 * n];
    double theta2 = o.theta() * o.theta();
    for (int it = 0; it < o.iterations(); it++) {
      boolean early = it < EXAGGERATION_ITERATIONS;
      double exaggeration = early ? EARLY_EXAGGERATION : 1;
      double momentum = early ? 0.5 : 0.8;
      if (exact) {
        exactGradient(y, n, pDense, exaggeration, grad, rowZ, pool);
      } else {
        bhGradient(y, n, pSparse, exaggeration, theta2, grad, attr, rep, rowZ, pool);
      }
      for (int c = 0; c < 2 * n; c++) {
        double g = grad[c];
        // gains grow while the gradient keeps pointing against the last step
        if ((update[c] * g) < 0) {
          gains[c] += 0.2;
        } else {
          gains[c] = Math.max(gains[c] * 0.8, 0.01);
        }
        update[c] = momentum * update[c] - learningRate * gains[c] * g;
        y[c] += update[c];
      }
      progress.step();
    }
    double mx = 0;
    double my = 0;
    for (int i = 0; i < n; i++) {
      mx += y[2 * i];
      my += y[2 * i + 1];
    }
    mx /= n;
    my /= n;
    double[][] out = new double[n][2];
    for (int i = 0; i < n; i++) {
      out[i][0] = y[2 * i] - mx;
      out[i][1] = y[2 * i + 1] - my;
    }
    return out;
  }

  /** Joint probabilities P (n x n, row-major) from Gaussian kernels of the given perplexity. */
  static double[] exactP(double[][] x, double perplexity, ForkJoinPool pool) {
    int n = x.length;
    double[] cond = new double[n * n];
    double logPerp = Math.log(perplexity);
    Pca.run(
        pool,
        n,
        i -> {
          double[] d2 = new double[n - 1];
          int m = 0;
          for (int j = 0; j < n; j++) {
            if (j != i) {
              d2[m++] = squaredDistance(x[i], x[j]);
            }
          }
          double[] p = new double[n - 1];
          conditional(d2, logPerp, p);
          m = 0;
          for (int j = 0; j < n; j++) {
            if (j != i) {
              cond[i * n + j] = p[m++];
            }
          }
        });
    double[] p = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        if (i != j) {
          p[i * n + j] = Math.max((cond[i * n + j] + cond[j * n + i]) / (2.0 * n), 1e-12);
        }
      }
    }
    return p;
  }

  /** Sparse joint P from the k nearest neighbours, symmetrised: (P + P^T) / 2n. */
  static SparseP sparseP(Knn knn, double perplexity, ForkJoinPool pool) {
    int n = knn.indices.length;
    int k = n == 0 ? 0 : knn.indices[0].length;
    double logPerp = Math.log(perplexity);
    double[][] cond = new double[n][k];
    Pca.run(
        pool,
        n,
        i -> {
          double[] d2 = new double[k];
          for (int j = 0; j < k; j++) {
            d2[j] = knn.distances[i][j] * knn.distances[i][j];
          }
          conditional(d2, logPerp, cond[i]);
        });
    // rows of P and of P^T, each sorted by column, merged
    int[] tCount = new int[n + 1];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < k; j++) {
        tCount[knn.indices[i][j] + 1]++;
      }
    }
    for (int i = 0; i < n; i++) {
      tCount[i + 1] += tCount[i];
    }
    int[] tCols = new int[n * k];
    double[] tVals = new double[n * k];
    int[] fill = Arrays.copyOf(tCount, n);
    for (int i = 0; i < n; i++) { // i ascending: every transposed row comes out sorted
      for (int j = 0; j < k; j++) {
        int r = knn.indices[i][j];
        tCols[fill[r]] = i;
        tVals[fill[r]++] = cond[i][j];
      }
    }
    int[] rowStart = new int[n + 1];
    int[] cols = new int[2 * n * k];
    double[] vals = new double[2 * n * k];
    int nnz = 0;
    for (int i = 0; i < n; i++) {
      int[] order = sortedOrder(knn.indices[i]);
      int a = 0;
      int b = tCount[i];
      int bEnd = tCount[i + 1];
      while (a < k || b < bEnd) {
        int ca = a < k ? knn.indices[i][order[a]] : Integer.MAX_VALUE;
        int cb = b < bEnd ? tCols[b] : Integer.MAX_VALUE;
        double v = 0;
        int col;
        if (ca <= cb) {
          col = ca;
          v += cond[i][order[a++]];
        } else {
          col = cb;
        }
        if (cb == col) {
          v += tVals[b++];
        }
        cols[nnz] = col;
        vals[nnz++] = v / (2.0 * n);
      }
      rowStart[i + 1] = nnz;
    }
    return new SparseP(rowStart, Arrays.copyOf(cols, nnz), Arrays.copyOf(vals, nnz));
  }

  private static int[] sortedOrder(int[] cols) {
    Integer[] o = new Integer[cols.length];
    for (int i = 0; i < o.length; i++) {
      o[i] = i;
    }
    Arrays.sort(o, (a, b) -> Integer.compare(cols[a], cols[b]));
    int[] r = new int[o.length];
    for (int i = 0; i < o.length; i++) {
      r[i] = o[i];
    }
    return r;
  }

  /**
   * Conditional probabilities p_j|i over the given squared distances, with the Gaussian precision
   * found by bisection so the entropy matches log(perplexity) (as scikit-learn's
   * _binary_search_perplexity).
   */
  static void conditional(double[] d2, double logPerp, double[] out) {
    int m = d2.length;
    double min = Double.POSITIVE_INFINITY;
    for (double v : d2) {
      min = Math.min(min, v);
    }
    double beta = 1;
    double betaMin = Double.NEGATIVE_INFINITY;
    double betaMax = Double.POSITIVE_INFINITY;
    double sum = 0;
    for (int step = 0; step < 200; step++) {
      sum = 0;
      double sumDp = 0;
      for (int j = 0; j < m; j++) {
        double shifted = d2[j] - min; // shift for range: the normalised result is the same
        double p = Math.exp(-shifted * beta);
        out[j] = p;
        sum += p;
        sumDp += shifted * p;
      }
      double entropy = Math.log(sum) + beta * sumDp / sum;
      double diff = entropy - logPerp;
      if (Math.abs(diff) <= 1e-5) {
        break;
      }
      if (diff > 0) {
        betaMin = beta;
        beta = betaMax == Double.POSITIVE_INFINITY ? beta * 2 : (beta + betaMax) / 2;
      } else {
        betaMax = beta;
        beta = betaMin == Double.NEGATIVE_INFINITY ? beta / 2 : (beta + betaMin) / 2;
      }
    }
    for (int j = 0; j < m; j++) {
      out[j] /= sum;
    }
  }

  private static void exactGradient(
      double[] y,
      int n,
      double[] p,
      double exaggeration,
      double[] grad,
      double[] rowZ,
      ForkJoinPool pool) {
    Pca.run(
        pool,
        n,
        i -> {
          double z = 0;
          double xi = y[2 * i];
          double yi = y[2 * i + 1];
          for (int j = 0; j < n; j++) {
            if (j != i) {
              double dx = xi - y[2 * j];
              double dy = yi - y[2 * j + 1];
              z += 1 / (1 + dx * dx + dy * dy);
            }
          }
          rowZ[i] = z;
        });
    double z = 0;
    for (int i = 0; i < n; i++) {
      z += rowZ[i];
    }
    double zz = z;
    Pca.run(
        pool,
        n,
        i -> {
          double gx = 0;
          double gy = 0;
          double xi = y[2 * i];
          double yi = y[2 * i + 1];
          for (int j = 0; j < n; j++) {
            if (j != i) {
              double dx = xi - y[2 * j];
              double dy = yi - y[2 * j + 1];
              double q = 1 / (1 + dx * dx + dy * dy);
              double mult = (exaggeration * p[i * n + j] - q / zz) * q;
              gx += mult * dx;
              gy += mult * dy;
            }
          }
          grad[2 * i] = 4 * gx;
          grad[2 * i + 1] = 4 * gy;
        });
  }

  private static void bhGradient(
      double[] y,
      int n,
      SparseP p,
      double exaggeration,
      double theta2,
      double[] grad,
      double[] attr,
      double[] rep,
      double[] rowZ,
      ForkJoinPool pool) {
    QuadTree tree = new QuadTree(y, n);
    Pca.run(
        pool,
        n,
        i -> {
          double xi = y[2 * i];
          double yi = y[2 * i + 1];
          double ax = 0;
          double ay = 0;
          for (int e = p.rowStart()[i]; e < p.rowStart()[i + 1]; e++) {
            int j = p.cols()[e];
            double dx = xi - y[2 * j];
            double dy = yi - y[2 * j + 1];
            double mult = p.vals()[e] / (1 + dx * dx + dy * dy);
            ax += mult * dx;
            ay += mult * dy;
          }
          attr[2 * i] = exaggeration * ax;
          attr[2 * i + 1] = exaggeration * ay;
          double[] out = new double[3];
          tree.repulsion(i, xi, yi, theta2, out, new int[tree.stackSize()]);
          rep[2 * i] = out[0];
          rep[2 * i + 1] = out[1];
          rowZ[i] = out[2];
        });
    double z = 0;
    for (int i = 0; i < n; i++) {
      z += rowZ[i];
    }
    for (int c = 0; c < 2 * n; c++) {
      grad[c] = 4 * (attr[c] - rep[c] / z);
    }
  }

  /** Random initial layout with standard deviation 1e-4 (when PCA cannot give one). */
  static double[][] randomInit(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[][] y = new double[n][2];
    for (double[] p : y) {
      p[0] = gaussian(r) * 1e-4;
      p[1] = gaussian(r) * 1e-4;
    }
    return y;
  }

  static double gaussian(SplittableRandom r) {
    double u = Math.max(r.nextDouble(), 1e-300);
    double v = r.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  static double squaredDistance(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      double d = a[i] - b[i];
      s += d * d;
    }
    return s;
  }
}

package io.jembed.toolkit.eval;

import java.util.Arrays;
import java.util.Comparator;

/** Pearson and Spearman correlation, as scipy.stats computes them. */
public final class Correlation {
  private Correlation() {}

  /** Pearson's r; NaN when either side is constant. */
  public static double pearson(double[] x, double[] y) {
    check(x, y);
    int n = x.length;
    double mx = 0, my = 0;
    for (int i = 0; i < n; i++) {
      mx += x[i];
      my += y[i];
    }
    mx /= n;
    my /= n;
    double sxy = 0, sxx = 0, syy = 0;
    for (int i = 0; i < n; i++) {
      double dx = x[i] - mx;
      double dy = y[i] - my;
      sxy += dx * dy;
      sxx += dx * dx;
      syy += dy * dy;
    }
    if (sxx == 0 || syy == 0) {
      return Double.NaN;
    }
    double r = sxy / Math.sqrt(sxx * syy);
    return Math.max(-1.0, Math.min(1.0, r));
  }

  /** Spearman's rho: Pearson's r of the ranks, ties sharing their average rank. */
  public static double spearman(double[] x, double[] y) {
    check(x, y);
    return pearson(ranks(x), ranks(y));
  }

  /** 1-based ranks; equal values get the average of the ranks they span (scipy's "average"). */
  public static double[] ranks(double[] values) {
    int n = values.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      if (Double.isNaN(values[i])) {
        throw new IllegalArgumentException("value " + i + " is NaN: ranks need numbers");
      }
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingDouble(i -> values[i]));
    double[] ranks = new double[n];
    int i = 0;
    while (i < n) {
      int j = i;
      while (j + 1 < n && values[order[j + 1]] == values[order[i]]) {
        j++;
      }
      double average = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) {
        ranks[order[k]] = average;
      }
      i = j + 1;
    }
    return ranks;
  }

  private static void check(double[] x, double[] y) {
    if (x.length != y.length) {
      throw new IllegalArgumentException(
          "correlation needs as many values on each side, got " + x.length + " and " + y.length);
    }
    if (x.length < 2) {
      throw new IllegalArgumentException("correlation needs at least 2 pairs, got " + x.length);
    }
  }
}

package io.jembed.plot;

import io.jembed.JembedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ForkJoinPool;

/**
 * Projects embeddings to 2-D coordinates with t-SNE, PCA or UMAP:
 *
 * <pre>{@code
 * Projection map = Projector.project(vectors, ProjectionOptions.builder()
 *     .method(ProjectionMethod.TSNE).perplexity(3).seed(42).build());
 * double[][] xy = map.coordinates();
 * }</pre>
 *
 * The same vectors, options and seed always give the same coordinates.
 */
public final class Projector {
  /** A map needs at least this many points. */
  public static final int MIN_POINTS = 3;

  /** t-SNE and UMAP on more points than this first reduce to pcaDimensions principal components. */
  public static final int PCA_REDUCTION_ABOVE = 1000;

  private Projector() {}

  public static Projection project(float[][] vectors, ProjectionOptions options) {
    if (vectors == null) {
      throw new JembedException("vectors must not be null");
    }
    double[][] x = new double[vectors.length][];
    for (int i = 0; i < vectors.length; i++) {
      if (vectors[i] == null) {
        throw new JembedException("vector " + i + " is null");
      }
      x[i] = new double[vectors[i].length];
      for (int j = 0; j < vectors[i].length; j++) {
        x[i][j] = vectors[i][j];
      }
    }
    return projectOwned(x, options);
  }

  public static Projection project(double[][] vectors, ProjectionOptions options) {
    if (vectors == null) {
      throw new JembedException("vectors must not be null");
    }
    double[][] x = new double[vectors.length][];
    for (int i = 0; i < vectors.length; i++) {
      if (vectors[i] == null) {
        throw new JembedException("vector " + i + " is null");
      }
      x[i] = vectors[i].clone();
    }
    return projectOwned(x, options);
  }

  private static Projection projectOwned(double[][] x, ProjectionOptions o) {
    validate(x);
    if (o.normalize()) {
      for (double[] row : x) {
        double norm = Math.sqrt(Pca.dot(row, row));
        if (norm > 0) {
          for (int j = 0; j < row.length; j++) {
            row[j] /= norm;
          }
        }
      }
    }
    ForkJoinPool pool = new ForkJoinPool(o.threads());
    try {
      return switch (o.method()) {
        case PCA -> pca(x, o, pool);
        case TSNE -> tsne(x, o, pool);
        case UMAP -> umap(x, o, pool);
      };
    } finally {
      pool.shutdown();
    }
  }

  private static void validate(double[][] x) {
    int n = x.length;
    if (n < MIN_POINTS) {
      throw new JembedException(
          "a map needs at least " + MIN_POINTS + " points, got " + n + (n == 1 ? " point" : ""));
    }
    int d = x[0].length;
    if (d == 0) {
      throw new JembedException("vectors must not be empty");
    }
    for (int i = 0; i < n; i++) {
      if (x[i].length != d) {
        throw new JembedException(
            "all vectors must have the same dimension: vector 0 has "
                + d
                + ", vector "
                + i
                + " has "
                + x[i].length);
      }
      for (double v : x[i]) {
        if (!Double.isFinite(v)) {
          throw new JembedException("vector " + i + " contains " + v);
        }
      }
    }
  }

  private static Projection pca(double[][] x, ProjectionOptions o, ForkJoinPool pool) {
    Progress progress = new Progress(o.progressListener(), 1);
    Pca pca = Pca.fit(x, 2, pool);
    double[][] s = pca.scoresView();
    double[][] xy = new double[x.length][2];
    for (int i = 0; i < x.length; i++) {
      xy[i][0] = s[i][0];
      xy[i][1] = s.length > 0 && s[i].length > 1 ? s[i][1] : 0;
    }
    double[] ratio = pca.explainedVarianceRatio();
    progress.finish();
    return new Projection(
        ProjectionMethod.PCA, xy, axis("PC 1", ratio, 0), axis("PC 2", ratio, 1), List.of());
  }

  private static String axis(String name, double[] ratio, int c) {
    return c < ratio.length
        ? String.format(Locale.ROOT, "%s (%.0f%% of variance)", name, 100 * ratio[c])
        : name;
  }

  private static Projection tsne(double[][] x, ProjectionOptions o, ForkJoinPool pool) {
    int n = x.length;
    List<String> notes = new ArrayList<>();
    double perplexity = o.perplexity();
    double limit = Math.max(1, n / 3.0);
    if (perplexity > limit) {
      notes.add(
          String.format(
              Locale.ROOT,
              "perplexity %s is too large for %d points (it is roughly the number of neighbours each"
                  + " point attends to, at most a third of the points): using %s",
              trim(perplexity),
              n,
              trim(limit)));
      perplexity = limit;
    }
    Progress progress = new Progress(o.progressListener(), o.iterations() + 1L);
    double[][] reduced = reduce(x, o, pool);
    double[][] init = pcaInit(reduced, pool);
    double std = std(init);
    if (std > 0) {
      for (double[] p : init) {
        p[0] = p[0] / std * 1e-4;
        p[1] = p[1] / std * 1e-4;
      }
    } else {
      init = Tsne.randomInit(n, o.seed());
    }
    double[][] xy = Tsne.run(reduced, perplexity, init, o, pool, progress);
    progress.finish();
    return new Projection(ProjectionMethod.TSNE, xy, "t-SNE 1", "t-SNE 2", notes);
  }

  private static Projection umap(double[][] x, ProjectionOptions o, ForkJoinPool pool) {
    int n = x.length;
    List<String> notes = new ArrayList<>();
    int neighbors = o.neighbors();
    int limit = Math.max(2, n / 3);
    if (neighbors > limit) {
      notes.add(
          String.format(
              Locale.ROOT,
              "%d neighbours is too many for %d points (at most a third of the points): using %d",
              neighbors,
              n,
              limit));
      neighbors = limit;
    }
    int epochs = o.epochs() != null ? o.epochs() : (n <= 10_000 ? 500 : 200);
    Progress progress = new Progress(o.progressListener(), epochs + 1L);
    double[][] reduced = reduce(x, o, pool);
    double[][] init = pcaInit(reduced, pool);
    double[][] xy =
        Umap.run(reduced, neighbors, o.minDist(), epochs, init, o.seed(), pool, progress);
    progress.finish();
    return new Projection(ProjectionMethod.UMAP, xy, "UMAP 1", "UMAP 2", notes);
  }

  private static double[][] reduce(double[][] x, ProjectionOptions o, ForkJoinPool pool) {
    if (x.length > PCA_REDUCTION_ABOVE && x[0].length > o.pcaDimensions()) {
      return Pca.fit(x, o.pcaDimensions(), pool).scoresView();
    }
    return x;
  }

  private static double[][] pcaInit(double[][] x, ForkJoinPool pool) {
    double[][] s = Pca.fit(x, 2, pool).scoresView();
    double[][] init = new double[x.length][2];
    for (int i = 0; i < x.length; i++) {
      init[i][0] = s[i][0];
      init[i][1] = s[i].length > 1 ? s[i][1] : 0;
    }
    return init;
  }

  private static double std(double[][] p) {
    double mean = 0;
    for (double[] v : p) {
      mean += v[0];
    }
    mean /= p.length;
    double var = 0;
    for (double[] v : p) {
      var += (v[0] - mean) * (v[0] - mean);
    }
    return Math.sqrt(var / p.length);
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.2f", v);
  }
}

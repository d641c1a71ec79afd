package io.jembed.plot;

import io.jembed.ConsoleProgressBar;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Maps clustered 384-d vectors (like sentence embeddings of a few topics) with every method and
 * prints seconds per method and how well the clusters stay apart. Usage: {@code PlotBenchmark
 * [points=10000] [output-dir]} (with an output directory, the maps are written there as PNG).
 */
public final class PlotBenchmark {
  private PlotBenchmark() {}

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    Path outDir = args.length > 1 ? Path.of(args[1]) : null;
    int clusters = 12;
    int dim = 384;
    List<String> labels = new ArrayList<>();
    float[][] vectors = clustered(n, clusters, dim, 42, labels);
    System.out.printf(
        Locale.ROOT,
        "%d points, %d clusters, %d dimensions, %d threads%n",
        n,
        clusters,
        dim,
        Runtime.getRuntime().availableProcessors());
    for (ProjectionMethod m : ProjectionMethod.values()) {
      long t0 = System.nanoTime();
      long cpu0 = processCpuNanos();
      Projection p;
      try (ConsoleProgressBar bar = new ConsoleProgressBar(m.displayName())) {
        p =
            Projector.project(
                vectors, ProjectionOptions.builder().method(m).progressListener(bar).build());
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      double cpuSeconds = (processCpuNanos() - cpu0) / 1e9;
      double[][] xy = p.coordinates();
      System.out.printf(
          Locale.ROOT,
          "%-6s %6.1f s wall  %6.1f s cpu   silhouette %.3f   nearest-neighbour label agreement"
              + " %.3f%n",
          m.displayName(),
          seconds,
          cpuSeconds,
          MapMetrics.silhouette(xy, labels),
          MapMetrics.nearestNeighbourAgreement(xy, labels));
      if (outDir != null) {
        MapPlot.builder(p)
            .labels(labels)
            .title(m.displayName() + " of " + n + " clustered vectors")
            .build()
            .write(outDir.resolve("benchmark-" + m.name().toLowerCase(Locale.ROOT) + ".png"));
      }
    }
  }

  /** CPU time of the whole process: on a shared machine, wall time alone says little. */
  private static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return 0;
  }

  /**
   * Points around random centres on the unit sphere, with anisotropic noise and uneven cluster
   * sizes, normalized like sentence embeddings.
   */
  static float[][] clustered(int n, int clusters, int dim, long seed, List<String> labels) {
    SplittableRandom r = new SplittableRandom(seed);
    double[][] centres = new double[clusters][dim];
    double[][] spread = new double[clusters][dim];
    for (int c = 0; c < clusters; c++) {
      for (int j = 0; j < dim; j++) {
        centres[c][j] = Tsne.gaussian(r);
        spread[c][j] = 0.5 + r.nextDouble();
      }
    }
    float[][] x = new float[n][dim];
    for (int i = 0; i < n; i++) {
      // uneven sizes: cluster c drawn with weight c + 1
      int c = (int) Math.floor(Math.sqrt(r.nextDouble()) * clusters);
      labels.add("topic " + (c + 1));
      double norm = 0;
      for (int j = 0; j < dim; j++) {
        double v = centres[c][j] + 1.1 * spread[c][j] * Tsne.gaussian(r);
        x[i][j] = (float) v;
        norm += v * v;
      }
      norm = Math.sqrt(norm);
      for (int j = 0; j < dim; j++) {
        x[i][j] /= (float) norm;
      }
    }
    return x;
  }
}

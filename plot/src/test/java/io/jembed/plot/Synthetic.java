package io.jembed.plot;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Clustered test vectors: stand-ins for embeddings of a few topics. */
final class Synthetic {
  private Synthetic() {}

  record Data(float[][] vectors, List<String> labels) {}

  /** {@code perCluster} points around each of {@code clusters} random centres in {@code dim}-d. */
  static Data clusters(int clusters, int perCluster, int dim, double noise, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[][] x = new float[clusters * perCluster][dim];
    List<String> labels = new ArrayList<>();
    for (int c = 0; c < clusters; c++) {
      double[] centre = new double[dim];
      for (int j = 0; j < dim; j++) {
        centre[j] = Tsne.gaussian(r);
      }
      for (int p = 0; p < perCluster; p++) {
        int i = c * perCluster + p;
        for (int j = 0; j < dim; j++) {
          x[i][j] = (float) (centre[j] + noise * Tsne.gaussian(r));
        }
        labels.add("group " + (char) ('A' + c));
      }
    }
    return new Data(x, labels);
  }
}

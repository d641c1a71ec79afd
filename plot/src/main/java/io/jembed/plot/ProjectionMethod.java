package io.jembed.plot;

import io.jembed.JembedException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How high-dimensional vectors are laid out in two dimensions. */
public enum ProjectionMethod {
  /** t-distributed Stochastic Neighbour Embedding: exact for small inputs, Barnes-Hut above. */
  TSNE("t-SNE"),
  /** Principal component analysis: the two directions of largest variance (linear, fast). */
  PCA("PC"),
  /** Uniform Manifold Approximation and Projection (fuzzy kNN graph + SGD). */
  UMAP("UMAP");

  private final String axisPrefix;

  ProjectionMethod(String axisPrefix) {
    this.axisPrefix = axisPrefix;
  }

  /** How axes of this method are named on a plot: "t-SNE", "PC", "UMAP". */
  public String displayName() {
    return this == PCA ? "PCA" : axisPrefix;
  }

  String axisPrefix() {
    return axisPrefix;
  }

  /** Parses "tsne", "t-SNE", "pca", "umap" (case-insensitive). */
  public static ProjectionMethod parse(String name) {
    if (name != null) {
      String key = name.trim().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
      for (ProjectionMethod m : values()) {
        if (m.name().toLowerCase(Locale.ROOT).equals(key)) {
          return m;
        }
      }
    }
    throw new JembedException(
        "unknown projection method '"
            + name
            + "': use one of "
            + Arrays.stream(values())
                .map(m -> m.name().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(", ")));
  }
}

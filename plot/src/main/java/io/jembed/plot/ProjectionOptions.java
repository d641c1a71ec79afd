package io.jembed.plot;

import io.jembed.JembedException;
import io.jembed.ProgressListener;

/**
 * How to project vectors to 2-D. Immutable; build with {@link #builder()}. Defaults follow
 * scikit-learn / openTSNE (t-SNE: perplexity 30, 1000 iterations, early exaggeration 12 for 250
 * iterations, learning rate "auto", PCA initialisation) and umap-learn (15 neighbours, min_dist
 * 0.1).
 */
public final class ProjectionOptions {
  private final ProjectionMethod method;
  private final double perplexity;
  private final int iterations;
  private final double theta;
  private final int exactThreshold;
  private final int neighbors;
  private final double minDist;
  private final Integer epochs;
  private final long seed;
  private final boolean normalize;
  private final int pcaDimensions;
  private final int threads;
  private final ProgressListener progressListener;

  private ProjectionOptions(Builder b) {
    this.method = b.method;
    this.perplexity = b.perplexity;
    this.iterations = b.iterations;
    this.theta = b.theta;
    this.exactThreshold = b.exactThreshold;
    this.neighbors = b.neighbors;
    this.minDist = b.minDist;
    this.epochs = b.epochs;
    this.seed = b.seed;
    this.normalize = b.normalize;
    this.pcaDimensions = b.pcaDimensions;
    this.threads = b.threads;
    this.progressListener = b.progressListener;
  }

  public static ProjectionOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.method = method;
    b.perplexity = perplexity;
    b.iterations = iterations;
    b.theta = theta;
    b.exactThreshold = exactThreshold;
    b.neighbors = neighbors;
    b.minDist = minDist;
    b.epochs = epochs;
    b.seed = seed;
    b.normalize = normalize;
    b.pcaDimensions = pcaDimensions;
    b.threads = threads;
    b.progressListener = progressListener;
    return b;
  }

  public ProjectionMethod method() {
    return method;
  }

  /** t-SNE perplexity requested (clamped to n / 3 for small inputs). */
  public double perplexity() {
    return perplexity;
  }

  /** t-SNE gradient-descent iterations, early exaggeration included. */
  public int iterations() {
    return iterations;
  }

  /** Barnes-Hut accuracy: cells smaller than theta times their distance count as one point. */
  public double theta() {
    return theta;
  }

  /** Up to this many points t-SNE computes exact gradients; above, Barnes-Hut. */
  public int exactThreshold() {
    return exactThreshold;
  }

  /** UMAP n_neighbors (the point itself included, as in umap-learn). */
  public int neighbors() {
    return neighbors;
  }

  /** UMAP min_dist. */
  public double minDist() {
    return minDist;
  }

  /** UMAP epochs, or null for umap-learn's default (500 up to 10,000 points, else 200). */
  public Integer epochs() {
    return epochs;
  }

  public long seed() {
    return seed;
  }

  /** Whether vectors are L2-normalized first, so distances follow cosine similarity. */
  public boolean normalize() {
    return normalize;
  }

  /** t-SNE and UMAP on large inputs first reduce to this many principal components. */
  public int pcaDimensions() {
    return pcaDimensions;
  }

  /** Worker threads (default: all cores). */
  public int threads() {
    return threads;
  }

  /** Told about iterations done, or null. */
  public ProgressListener progressListener() {
    return progressListener;
  }

  public static final class Builder {
    private ProjectionMethod method = ProjectionMethod.TSNE;
    private double perplexity = 30;
    private int iterations = 1000;
    private double theta = 0.5;
    private int exactThreshold = 1000;
    private int neighbors = 15;
    private double minDist = 0.1;
    private Integer epochs;
    private long seed = 42;
    private boolean normalize = true;
    private int pcaDimensions = 50;
    private int threads = Runtime.getRuntime().availableProcessors();
    private ProgressListener progressListener;

    private Builder() {}

    public Builder method(ProjectionMethod method) {
      if (method == null) {
        throw new JembedException("method must not be null");
      }
      this.method = method;
      return this;
    }

    public Builder perplexity(double perplexity) {
      if (!(perplexity >= 1) || Double.isInfinite(perplexity)) {
        throw new JembedException("perplexity must be at least 1, got " + perplexity);
      }
      this.perplexity = perplexity;
      return this;
    }

    public Builder iterations(int iterations) {
      if (iterations < 300) {
        throw new JembedException("t-SNE iterations must be at least 300, got " + iterations);
      }
      this.iterations = iterations;
      return this;
    }

    public Builder theta(double theta) {
      if (!(theta >= 0 && theta <= 1)) {
        throw new JembedException("theta must be in [0, 1], got " + theta);
      }
      this.theta = theta;
      return this;
    }

    public Builder exactThreshold(int exactThreshold) {
      this.exactThreshold = Math.max(0, exactThreshold);
      return this;
    }

    public Builder neighbors(int neighbors) {
      if (neighbors < 2) {
        throw new JembedException("UMAP neighbors must be at least 2, got " + neighbors);
      }
      this.neighbors = neighbors;
      return this;
    }

    public Builder minDist(double minDist) {
      if (!(minDist >= 0 && minDist < 3)) {
        throw new JembedException("UMAP min_dist must be in [0, 3), got " + minDist);
      }
      this.minDist = minDist;
      return this;
    }

    public Builder epochs(Integer epochs) {
      if (epochs != null && epochs < 1) {
        throw new JembedException("UMAP epochs must be positive, got " + epochs);
      }
      this.epochs = epochs;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder normalize(boolean normalize) {
      this.normalize = normalize;
      return this;
    }

    public Builder pcaDimensions(int pcaDimensions) {
      if (pcaDimensions < 2) {
        throw new JembedException("pcaDimensions must be at least 2, got " + pcaDimensions);
      }
      this.pcaDimensions = pcaDimensions;
      return this;
    }

    public Builder threads(int threads) {
      if (threads < 1) {
        throw new JembedException("threads must be at least 1, got " + threads);
      }
      this.threads = threads;
      return this;
    }

    public Builder progressListener(ProgressListener progressListener) {
      this.progressListener = progressListener;
      return this;
    }

    public ProjectionOptions build() {
      return new ProjectionOptions(this);
    }
  }
}

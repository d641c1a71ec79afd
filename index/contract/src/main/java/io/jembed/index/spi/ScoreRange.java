package io.jembed.index.spi;

import io.jembed.ModelInfo;

/**
 * The scores a model's similarity can give: [-1, 1] for cosine and for the dot product of unit
 * vectors, (-inf, 0] for negative distances, any finite number for other dot products. A vector
 * search that scores outside it is reading damaged vectors.
 *
 * @param min the lowest possible score
 * @param max the highest possible score
 */
public record ScoreRange(double min, double max) {
  /** Slack for exact float scores (rounding). */
  public static final double EXACT = 1e-3;

  /** Slack for scores estimated from quantized vectors. */
  public static final double ESTIMATED = 0.5;

  public static ScoreRange of(ModelInfo model) {
    return switch (model.similarity()) {
      case COSINE -> new ScoreRange(-1, 1);
      case DOT ->
          model.normalized()
              ? new ScoreRange(-1, 1)
              : new ScoreRange(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
      case EUCLIDEAN, MANHATTAN -> new ScoreRange(Double.NEGATIVE_INFINITY, 0);
    };
  }

  /** Whether the score is finite and within the range, give or take {@code slack}. */
  public boolean contains(double score, double slack) {
    return Double.isFinite(score) && score >= min - slack && score <= max + slack;
  }

  @Override
  public String toString() {
    return "[" + bound(min) + ", " + bound(max) + "]";
  }

  private static String bound(double b) {
    return Double.isInfinite(b) ? (b < 0 ? "-inf" : "inf") : String.valueOf((long) b);
  }
}

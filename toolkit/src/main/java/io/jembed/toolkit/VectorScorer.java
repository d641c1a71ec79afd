package io.jembed.toolkit;

import io.jembed.SimilarityFunction;
import io.jembed.Vectors;

/**
 * Scores a query against the vectors of a corpus with one similarity function. For cosine the
 * corpus norms are computed once, so no normalized copy of the corpus is made. Scores are symmetric
 * bit for bit: {@code score(a, b) == score(b, a)}, which mining relies on to drop duplicate pairs.
 */
final class VectorScorer {
  private final SimilarityFunction function;
  private final float[][] vectors;
  private final float[] inverseNorms;

  VectorScorer(float[][] vectors, SimilarityFunction function) {
    this.function = function;
    this.vectors = vectors;
    this.inverseNorms = function == SimilarityFunction.COSINE ? inverseNorms(vectors) : null;
  }

  static int checkVectors(String what, float[][] vectors) {
    if (vectors == null) {
      throw new IllegalArgumentException(what + " must not be null");
    }
    int dim = -1;
    for (int i = 0; i < vectors.length; i++) {
      float[] v = vectors[i];
      if (v == null) {
        throw new IllegalArgumentException(what + " vector " + i + " is null");
      }
      if (dim < 0) {
        dim = v.length;
      } else if (v.length != dim) {
        throw new IllegalArgumentException(
            what + " vectors differ in dimension: " + dim + " and " + v.length + " (at " + i + ")");
      }
    }
    return dim;
  }

  static float inverseNorm(float[] v) {
    return (float) (1.0 / Math.max(Vectors.norm(v), 1e-12));
  }

  private static float[] inverseNorms(float[][] vectors) {
    float[] out = new float[vectors.length];
    for (int i = 0; i < vectors.length; i++) {
      out[i] = inverseNorm(vectors[i]);
    }
    return out;
  }

  int size() {
    return vectors.length;
  }

  float[] vector(int i) {
    return vectors[i];
  }

  /** The inverse norm to pass with a query (cosine), else 1. */
  float queryFactor(float[] query) {
    return inverseNorms == null ? 1f : inverseNorm(query);
  }

  /** The inverse norm of corpus vector i (cosine), else 1. */
  float factor(int i) {
    return inverseNorms == null ? 1f : inverseNorms[i];
  }

  float score(float[] query, float queryFactor, int j) {
    float[] c = vectors[j];
    return switch (function) {
      case COSINE -> dot(query, c) * (queryFactor * inverseNorms[j]);
      case DOT -> dot(query, c);
      case EUCLIDEAN -> (float) -Math.sqrt(squaredDistance(query, c));
      case MANHATTAN -> -manhattan(query, c);
    };
  }

  /** Four accumulators: independent adds the CPU can overlap (the JIT keeps float order). */
  static float dot(float[] a, float[] b) {
    float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
    int n = a.length;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      s0 += a[i] * b[i];
      s1 += a[i + 1] * b[i + 1];
      s2 += a[i + 2] * b[i + 2];
      s3 += a[i + 3] * b[i + 3];
    }
    for (; i < n; i++) {
      s0 += a[i] * b[i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  private static float squaredDistance(float[] a, float[] b) {
    float s0 = 0f, s1 = 0f;
    int n = a.length;
    int i = 0;
    for (; i + 1 < n; i += 2) {
      float d0 = a[i] - b[i];
      float d1 = a[i + 1] - b[i + 1];
      s0 += d0 * d0;
      s1 += d1 * d1;
    }
    for (; i < n; i++) {
      float d = a[i] - b[i];
      s0 += d * d;
    }
    return s0 + s1;
  }

  private static float manhattan(float[] a, float[] b) {
    float s = 0f;
    for (int i = 0; i < a.length; i++) {
      s += Math.abs(a[i] - b[i]);
    }
    return s;
  }
}

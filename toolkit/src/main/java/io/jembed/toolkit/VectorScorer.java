package io.jembed.toolkit;

import io.jembed.SimilarityFunction;

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
    return inverseNorm(v, 0, v.length);
  }

  /** 1 / norm from the search kernel's own dot product, so every path normalizes identically. */
  static float inverseNorm(float[] v, int off, int dim) {
    double norm = Math.sqrt(DotKernel.INSTANCE.dot(v, off, v, off, dim));
    return (float) (1.0 / Math.max(norm, 1e-12));
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

  /** The search kernel's dot product (SIMD when available; same bits either way). */
  static float dot(float[] a, float[] b) {
    return DotKernel.INSTANCE.dot(a, 0, b, 0, a.length);
  }

  private static float squaredDistance(float[] a, float[] b) {
    return squaredDistance(a, 0, b, 0, a.length);
  }

  static float squaredDistance(float[] a, int aOff, float[] b, int bOff, int n) {
    float s0 = 0f, s1 = 0f;
    int i = 0;
    for (; i + 1 < n; i += 2) {
      float d0 = a[aOff + i] - b[bOff + i];
      float d1 = a[aOff + i + 1] - b[bOff + i + 1];
      s0 += d0 * d0;
      s1 += d1 * d1;
    }
    for (; i < n; i++) {
      float d = a[aOff + i] - b[bOff + i];
      s0 += d * d;
    }
    return s0 + s1;
  }

  private static float manhattan(float[] a, float[] b) {
    return manhattan(a, 0, b, 0, a.length);
  }

  static float manhattan(float[] a, int aOff, float[] b, int bOff, int n) {
    float s = 0f;
    for (int i = 0; i < n; i++) {
      s += Math.abs(a[aOff + i] - b[bOff + i]);
    }
    return s;
  }
}

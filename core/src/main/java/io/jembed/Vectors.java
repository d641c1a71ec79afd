package io.jembed;

/** Small vector helpers used across jembed. */
public final class Vectors {
  private Vectors() {}

  /** The Euclidean (L2) norm. */
  public static double norm(float[] v) {
    double s = 0;
    for (float x : v) {
      s += (double) x * x;
    }
    return Math.sqrt(s);
  }

  /** A unit-length copy (as torch.nn.functional.normalize: norms below 1e-12 are clamped). */
  public static float[] normalized(float[] v) {
    float[] out = v.clone();
    normalizeInPlace(out);
    return out;
  }

  /** Scales {@code v} to unit length in place. */
  public static void normalizeInPlace(float[] v) {
    double n = Math.max(norm(v), 1e-12);
    float inv = (float) (1.0 / n);
    for (int i = 0; i < v.length; i++) {
      v[i] *= inv;
    }
  }
}

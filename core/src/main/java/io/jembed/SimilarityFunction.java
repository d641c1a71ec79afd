package io.jembed;

import java.util.Locale;

/**
 * Similarity functions with sentence-transformers' names and conventions: higher is more similar,
 * so the distances (euclidean, manhattan) are returned negated.
 */
public enum SimilarityFunction {
  COSINE("cosine"),
  DOT("dot"),
  EUCLIDEAN("euclidean"),
  MANHATTAN("manhattan");

  private final String externalName;

  SimilarityFunction(String externalName) {
    this.externalName = externalName;
  }

  /** The name used by sentence-transformers' {@code similarity_fn_name}. */
  public String externalName() {
    return externalName;
  }

  /** Parses cosine, dot (or dot_product), euclidean, manhattan, case-insensitively. */
  public static SimilarityFunction parse(String name) {
    if (name == null) {
      throw new IllegalArgumentException("similarity function must not be null");
    }
    String n = name.trim().toLowerCase(Locale.ROOT);
    return switch (n) {
      case "cosine", "cos" -> COSINE;
      case "dot", "dot_product", "dot_score" -> DOT;
      case "euclidean", "l2" -> EUCLIDEAN;
      case "manhattan", "l1" -> MANHATTAN;
      default ->
          throw new IllegalArgumentException(
              "unknown similarity function '"
                  + name
                  + "': expected cosine, dot, euclidean or manhattan");
    };
  }

  /** The similarity of two vectors of equal length. */
  public float score(float[] a, float[] b) {
    checkSameLength(a, b);
    return switch (this) {
      case COSINE -> cosine(a, b);
      case DOT -> dot(a, b);
      case EUCLIDEAN -> (float) -Math.sqrt(squaredDistance(a, b));
      case MANHATTAN -> -manhattan(a, b);
    };
  }

  /** The full similarity matrix: {@code result[i][j] = score(a[i], b[j])}. */
  public float[][] matrix(float[][] a, float[][] b) {
    float[][] out = new float[a.length][b.length];
    if (this == COSINE) {
      // normalize once instead of once per pair
      float[][] na = normalizedCopy(a);
      float[][] nb = a == b ? na : normalizedCopy(b);
      for (int i = 0; i < na.length; i++) {
        for (int j = 0; j < nb.length; j++) {
          checkSameLength(na[i], nb[j]);
          out[i][j] = dot(na[i], nb[j]);
        }
      }
      return out;
    }
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < b.length; j++) {
        out[i][j] = score(a[i], b[j]);
      }
    }
    return out;
  }

  /** Row-wise similarity of two equally long lists: {@code result[i] = score(a[i], b[i])}. */
  public float[] pairwise(float[][] a, float[][] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException(
          "pairwise similarity needs as many vectors on each side, got "
              + a.length
              + " and "
              + b.length);
    }
    float[] out = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = score(a[i], b[i]);
    }
    return out;
  }

  static float dot(float[] a, float[] b) {
    float s = 0f;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  static float cosine(float[] a, float[] b) {
    double dot = 0, na = 0, nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    // sentence-transformers clamps norms at 1e-12 (torch.nn.functional.normalize)
    return (float) (dot / (Math.max(Math.sqrt(na), 1e-12) * Math.max(Math.sqrt(nb), 1e-12)));
  }

  private static double squaredDistance(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      double d = a[i] - b[i];
      s += d * d;
    }
    return s;
  }

  private static float manhattan(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += Math.abs(a[i] - b[i]);
    }
    return (float) s;
  }

  private static float[][] normalizedCopy(float[][] vectors) {
    float[][] out = new float[vectors.length][];
    for (int i = 0; i < vectors.length; i++) {
      out[i] = Vectors.normalized(vectors[i]);
    }
    return out;
  }

  private static void checkSameLength(float[] a, float[] b) {
    if (a == null || b == null) {
      throw new IllegalArgumentException("vectors must not be null");
    }
    if (a.length != b.length) {
      throw new IllegalArgumentException(
          "vectors have different dimensions: " + a.length + " and " + b.length);
    }
  }
}

package io.jembed.toolkit;

/**
 * The similarity kernels behind exact and quantized search. Every implementation sums in the same
 * fixed order, so scores are identical bit for bit whichever kernel runs: 16 lanes, lane {@code l}
 * accumulating dimensions {@code l, l + 16, l + 32, ...} with {@link Math#fma}, then lanes added
 * pairwise in a fixed tree ({@link #tree8}). The Panama kernel (jdk.incubator.vector) computes
 * exactly that with two 8-lane vectors; the scalar kernel with 16 local accumulators.
 */
abstract class DotKernel {
  /**
   * The kernel in use: Panama when jdk.incubator.vector is present (and not disabled), else scalar.
   */
  static final DotKernel INSTANCE = select();

  private static DotKernel select() {
    if (Boolean.getBoolean("jembed.search.scalar")) {
      return new ScalarKernel();
    }
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
      try {
        // loaded by name so that the class is never touched when the module is absent
        return (DotKernel)
            Class.forName("io.jembed.toolkit.PanamaKernel").getDeclaredConstructor().newInstance();
      } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
        return new ScalarKernel();
      }
    }
    return new ScalarKernel();
  }

  /** A short description for benchmark output, e.g. "panama 256-bit". */
  abstract String name();

  /** Dot product of a[aOff, aOff + dim) and b[bOff, bOff + dim). */
  abstract float dot(float[] a, int aOff, float[] b, int bOff, int dim);

  /**
   * Four dot products at once: the queries at q[qOff + i * dim] (i = 0..3) against one corpus
   * vector, which is read once for all four; out[0..3] receive exactly what {@link #dot} returns.
   */
  abstract void dot4(float[] q, int qOff, float[] c, int cOff, int dim, float[] out);

  /** Sum of w[wOff + d] * codes[cOff + d]: the int8 score, in the same order as {@link #dot}. */
  abstract float dotCodes(float[] w, int wOff, byte[] codes, int cOff, int dim);

  static float tree8(
      float x0, float x1, float x2, float x3, float x4, float x5, float x6, float x7) {
    return ((x0 + x4) + (x2 + x6)) + ((x1 + x5) + (x3 + x7));
  }

  /** Folds 16 lane sums: lanes l and l + 8 first, then {@link #tree8}. */
  static float tree16(float[] s) {
    return tree8(
        s[0] + s[8],
        s[1] + s[9],
        s[2] + s[10],
        s[3] + s[11],
        s[4] + s[12],
        s[5] + s[13],
        s[6] + s[14],
        s[7] + s[15]);
  }

  /** Adds the last dim % 16 products to their lanes and folds: the tail every kernel shares. */
  static float tail(float[] lanes, float[] a, int aOff, float[] b, int bOff, int from, int dim) {
    for (int i = from; i < dim; i++) {
      lanes[i - from] = Math.fma(a[aOff + i], b[bOff + i], lanes[i - from]);
    }
    return tree16(lanes);
  }

  static float tailCodes(
      float[] lanes, float[] w, int wOff, byte[] codes, int cOff, int from, int dim) {
    for (int i = from; i < dim; i++) {
      lanes[i - from] = Math.fma(w[wOff + i], codes[cOff + i], lanes[i - from]);
    }
    return tree16(lanes);
  }
}

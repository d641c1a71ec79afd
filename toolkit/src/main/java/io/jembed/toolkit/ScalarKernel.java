package io.jembed.toolkit;

/**
 * The portable kernel: 16 independent accumulators the CPU can overlap, in {@link DotKernel}'s
 * order.
 */
final class ScalarKernel extends DotKernel {
  @Override
  String name() {
    return "scalar (16 accumulators; add --add-modules jdk.incubator.vector for SIMD)";
  }

  @Override
  float dot(float[] a, int aOff, float[] b, int bOff, int dim) {
    float s0 = 0f,
        s1 = 0f,
        s2 = 0f,
        s3 = 0f,
        s4 = 0f,
        s5 = 0f,
        s6 = 0f,
        s7 = 0f,
        s8 = 0f,
        s9 = 0f,
        s10 = 0f,
        s11 = 0f,
        s12 = 0f,
        s13 = 0f,
        s14 = 0f,
        s15 = 0f;
    int main = dim & ~15;
    for (int i = 0; i < main; i += 16) {
      int x = aOff + i, y = bOff + i;
      s0 = Math.fma(a[x + 0], b[y + 0], s0);
      s1 = Math.fma(a[x + 1], b[y + 1], s1);
      s2 = Math.fma(a[x + 2], b[y + 2], s2);
      s3 = Math.fma(a[x + 3], b[y + 3], s3);
      s4 = Math.fma(a[x + 4], b[y + 4], s4);
      s5 = Math.fma(a[x + 5], b[y + 5], s5);
      s6 = Math.fma(a[x + 6], b[y + 6], s6);
      s7 = Math.fma(a[x + 7], b[y + 7], s7);
      s8 = Math.fma(a[x + 8], b[y + 8], s8);
      s9 = Math.fma(a[x + 9], b[y + 9], s9);
      s10 = Math.fma(a[x + 10], b[y + 10], s10);
      s11 = Math.fma(a[x + 11], b[y + 11], s11);
      s12 = Math.fma(a[x + 12], b[y + 12], s12);
      s13 = Math.fma(a[x + 13], b[y + 13], s13);
      s14 = Math.fma(a[x + 14], b[y + 14], s14);
      s15 = Math.fma(a[x + 15], b[y + 15], s15);
    }
    if (main == dim) {
      return tree8(s0 + s8, s1 + s9, s2 + s10, s3 + s11, s4 + s12, s5 + s13, s6 + s14, s7 + s15);
    }
    float[] lanes = {s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15};
    return tail(lanes, a, aOff, b, bOff, main, dim);
  }

  @Override
  void dot4(float[] q, int qOff, float[] c, int cOff, int dim, float[] out) {
    for (int i = 0; i < 4; i++) {
      out[i] = dot(q, qOff + i * dim, c, cOff, dim);
    }
  }

  @Override
  float dotCodes(float[] a, int aOff, byte[] b, int bOff, int dim) {
    float s0 = 0f,
        s1 = 0f,
        s2 = 0f,
        s3 = 0f,
        s4 = 0f,
        s5 = 0f,
        s6 = 0f,
        s7 = 0f,
        s8 = 0f,
        s9 = 0f,
        s10 = 0f,
        s11 = 0f,
        s12 = 0f,
        s13 = 0f,
        s14 = 0f,
        s15 = 0f;
    int main = dim & ~15;
    for (int i = 0; i < main; i += 16) {
      int x = aOff + i, y = bOff + i;
      s0 = Math.fma(a[x + 0], b[y + 0], s0);
      s1 = Math.fma(a[x + 1], b[y + 1], s1);
      s2 = Math.fma(a[x + 2], b[y + 2], s2);
      s3 = Math.fma(a[x + 3], b[y + 3], s3);
      s4 = Math.fma(a[x + 4], b[y + 4], s4);
      s5 = Math.fma(a[x + 5], b[y + 5], s5);
      s6 = Math.fma(a[x + 6], b[y + 6], s6);
      s7 = Math.fma(a[x + 7], b[y + 7], s7);
      s8 = Math.fma(a[x + 8], b[y + 8], s8);
      s9 = Math.fma(a[x + 9], b[y + 9], s9);
      s10 = Math.fma(a[x + 10], b[y + 10], s10);
      s11 = Math.fma(a[x + 11], b[y + 11], s11);
      s12 = Math.fma(a[x + 12], b[y + 12], s12);
      s13 = Math.fma(a[x + 13], b[y + 13], s13);
      s14 = Math.fma(a[x + 14], b[y + 14], s14);
      s15 = Math.fma(a[x + 15], b[y + 15], s15);
    }
    if (main == dim) {
      return tree8(s0 + s8, s1 + s9, s2 + s10, s3 + s11, s4 + s12, s5 + s13, s6 + s14, s7 + s15);
    }
    float[] lanes = {s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15};
    return tailCodes(lanes, a, aOff, b, bOff, main, dim);
  }
}

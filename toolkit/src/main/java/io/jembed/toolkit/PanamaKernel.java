package io.jembed.toolkit;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * SIMD kernel on the JDK Vector API (loaded only when jdk.incubator.vector is present). Two 8-lane
 * accumulators hold the 16 lanes of {@link DotKernel}'s order, so the result equals the scalar
 * kernel's bit for bit; on AVX-512 machines the JIT runs them as 256-bit halves at full speed.
 */
final class PanamaKernel extends DotKernel {
  private static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;
  private static final VectorSpecies<Byte> B8 = ByteVector.SPECIES_64;
  private static final VectorSpecies<Float> F16 = FloatVector.SPECIES_512;
  private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
  private static final boolean WIDE = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512;

  PanamaKernel() {
    if (FloatVector.SPECIES_PREFERRED.vectorBitSize() < 256) {
      // no 256-bit SIMD: the Vector API would be emulated, slower than the scalar kernel
      throw new UnsupportedOperationException("no 256-bit vectors");
    }
  }

  @Override
  String name() {
    return "panama (jdk.incubator.vector, "
        + FloatVector.SPECIES_PREFERRED.vectorBitSize()
        + "-bit preferred, 2 x 256-bit accumulators)";
  }

  private static float fold(FloatVector lo, FloatVector hi) {
    FloatVector x = lo.add(hi);
    return tree8(
        x.lane(0), x.lane(1), x.lane(2), x.lane(3), x.lane(4), x.lane(5), x.lane(6), x.lane(7));
  }

  private static float[] lanes(FloatVector lo, FloatVector hi) {
    float[] lanes = new float[16];
    lo.intoArray(lanes, 0);
    hi.intoArray(lanes, 8);
    return lanes;
  }

  @Override
  float dot(float[] a, int aOff, float[] b, int bOff, int dim) {
    FloatVector lo = FloatVector.zero(F8);
    FloatVector hi = lo;
    int main = dim & ~15;
    for (int i = 0; i < main; i += 16) {
      lo = FloatVector.fromArray(F8, a, aOff + i).fma(FloatVector.fromArray(F8, b, bOff + i), lo);
      hi =
          FloatVector.fromArray(F8, a, aOff + i + 8)
              .fma(FloatVector.fromArray(F8, b, bOff + i + 8), hi);
    }
    if (main == dim) {
      return fold(lo, hi);
    }
    return tail(lanes(lo, hi), a, aOff, b, bOff, main, dim);
  }

  @Override
  void dot4(float[] q, int qOff, float[] c, int cOff, int dim, float[] out) {
    int main = dim & ~15;
    if (main != dim) {
      for (int i = 0; i < 4; i++) {
        out[i] = dot(q, qOff + i * dim, c, cOff, dim);
      }
      return;
    }
    int q0 = qOff, q1 = qOff + dim, q2 = qOff + 2 * dim, q3 = qOff + 3 * dim;
    FloatVector a0 = FloatVector.zero(F8);
    FloatVector b0 = a0, a1 = a0, b1 = a0, a2 = a0, b2 = a0, a3 = a0, b3 = a0;
    for (int i = 0; i < main; i += 16) {
      FloatVector lo = FloatVector.fromArray(F8, c, cOff + i);
      FloatVector hi = FloatVector.fromArray(F8, c, cOff + i + 8);
      a0 = FloatVector.fromArray(F8, q, q0 + i).fma(lo, a0);
      b0 = FloatVector.fromArray(F8, q, q0 + i + 8).fma(hi, b0);
      a1 = FloatVector.fromArray(F8, q, q1 + i).fma(lo, a1);
      b1 = FloatVector.fromArray(F8, q, q1 + i + 8).fma(hi, b1);
      a2 = FloatVector.fromArray(F8, q, q2 + i).fma(lo, a2);
      b2 = FloatVector.fromArray(F8, q, q2 + i + 8).fma(hi, b2);
      a3 = FloatVector.fromArray(F8, q, q3 + i).fma(lo, a3);
      b3 = FloatVector.fromArray(F8, q, q3 + i + 8).fma(hi, b3);
    }
    out[0] = fold(a0, b0);
    out[1] = fold(a1, b1);
    out[2] = fold(a2, b2);
    out[3] = fold(a3, b3);
  }

  @Override
  float dotCodes(float[] w, int wOff, byte[] codes, int cOff, int dim) {
    if (WIDE) {
      // one 16-lane accumulator is the same 16 lanes; a single widening convert per 16 bytes
      FloatVector acc = FloatVector.zero(F16);
      int main = dim & ~15;
      for (int i = 0; i < main; i += 16) {
        FloatVector c =
            (FloatVector)
                ByteVector.fromArray(B16, codes, cOff + i)
                    .convertShape(VectorOperators.B2F, F16, 0);
        acc = FloatVector.fromArray(F16, w, wOff + i).fma(c, acc);
      }
      FloatVector lo = (FloatVector) acc.reinterpretShape(F8, 0);
      FloatVector hi = (FloatVector) acc.reinterpretShape(F8, 1);
      if (main == dim) {
        return fold(lo, hi);
      }
      return tailCodes(lanes(lo, hi), w, wOff, codes, cOff, main, dim);
    }
    FloatVector lo = FloatVector.zero(F8);
    FloatVector hi = lo;
    int main = dim & ~15;
    for (int i = 0; i < main; i += 16) {
      FloatVector cl =
          (FloatVector)
              ByteVector.fromArray(B8, codes, cOff + i).convertShape(VectorOperators.B2F, F8, 0);
      FloatVector ch =
          (FloatVector)
              ByteVector.fromArray(B8, codes, cOff + i + 8)
                  .convertShape(VectorOperators.B2F, F8, 0);
      lo = FloatVector.fromArray(F8, w, wOff + i).fma(cl, lo);
      hi = FloatVector.fromArray(F8, w, wOff + i + 8).fma(ch, hi);
    }
    if (main == dim) {
      return fold(lo, hi);
    }
    return tailCodes(lanes(lo, hi), w, wOff, codes, cOff, main, dim);
  }
}

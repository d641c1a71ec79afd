package io.jembed.hosted;

import io.jembed.Precision;

/**
 * sentence-transformers' {@code quantize_embeddings} for float vectors: int8/uint8 with ranges
 * calibrated on the batch itself, binary/ubinary as packed sign bits.
 */
final class Quantization {
  private Quantization() {}

  static byte[][] quantize(float[][] vectors, Precision precision) {
    return switch (precision) {
      case FLOAT32 -> null;
      case INT8, UINT8 -> scalar(vectors, precision == Precision.INT8);
      case BINARY, UBINARY -> packBits(vectors, precision == Precision.BINARY);
    };
  }

  private static byte[][] scalar(float[][] vectors, boolean signed) {
    int n = vectors.length;
    int dim = n == 0 ? 0 : vectors[0].length;
    float[] min = new float[dim];
    float[] max = new float[dim];
    for (int d = 0; d < dim; d++) {
      min[d] = Float.POSITIVE_INFINITY;
      max[d] = Float.NEGATIVE_INFINITY;
      for (float[] v : vectors) {
        min[d] = Math.min(min[d], v[d]);
        max[d] = Math.max(max[d], v[d]);
      }
    }
    byte[][] out = new byte[n][dim];
    for (int i = 0; i < n; i++) {
      for (int d = 0; d < dim; d++) {
        float step = (max[d] - min[d]) / 255f;
        int q = step == 0 ? 0 : (int) ((vectors[i][d] - min[d]) / step);
        q = Math.max(0, Math.min(255, q));
        out[i][d] = (byte) (signed ? q - 128 : q);
      }
    }
    return out;
  }

  private static byte[][] packBits(float[][] vectors, boolean signed) {
    byte[][] out = new byte[vectors.length][];
    for (int i = 0; i < vectors.length; i++) {
      float[] v = vectors[i];
      byte[] packed = new byte[(v.length + 7) / 8];
      for (int d = 0; d < v.length; d++) {
        if (v[d] > 0) {
          packed[d / 8] |= (byte) (0x80 >>> (d % 8)); // numpy packbits: big-endian bit order
        }
      }
      if (signed) {
        for (int b = 0; b < packed.length; b++) {
          packed[b] = (byte) (Byte.toUnsignedInt(packed[b]) - 128);
        }
      }
      out[i] = packed;
    }
    return out;
  }
}

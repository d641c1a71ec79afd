package io.jembed.engine;

import io.jembed.Precision;

/** sentence-transformers' quantize_embeddings, with ranges calibrated on the batch itself. */
public final class Quantizer {
  private Quantizer() {}

  public static byte[][] quantize(float[][] embeddings, Precision precision) {
    return switch (precision) {
      case FLOAT32 -> null;
      case INT8, UINT8 -> scalar(embeddings, precision == Precision.INT8);
      case BINARY, UBINARY -> binary(embeddings, precision == Precision.BINARY);
    };
  }

  private static byte[][] scalar(float[][] embeddings, boolean signed) {
    byte[][] out = new byte[embeddings.length][];
    if (embeddings.length == 0) {
      return out;
    }
    int dim = embeddings[0].length;
    float[] min = new float[dim];
    float[] max = new float[dim];
    java.util.Arrays.fill(min, Float.POSITIVE_INFINITY);
    java.util.Arrays.fill(max, Float.NEGATIVE_INFINITY);
    for (float[] e : embeddings) {
      for (int d = 0; d < dim; d++) {
        min[d] = Math.min(min[d], e[d]);
        max[d] = Math.max(max[d], e[d]);
      }
    }
    for (int i = 0; i < embeddings.length; i++) {
      byte[] q = new byte[dim];
      for (int d = 0; d < dim; d++) {
        float step = (max[d] - min[d]) / 255f;
        // a dimension with one value everywhere maps to the bottom of the range
        float level = step > 0 ? (embeddings[i][d] - min[d]) / step : 0f;
        // numpy's astype truncates toward zero
        int v = (int) (signed ? level - 128f : level);
        q[d] = (byte) v;
      }
      out[i] = q;
    }
    return out;
  }

  private static byte[][] binary(float[][] embeddings, boolean signed) {
    byte[][] out = new byte[embeddings.length][];
    for (int i = 0; i < embeddings.length; i++) {
      float[] e = embeddings[i];
      byte[] packed = new byte[(e.length + 7) / 8];
      for (int d = 0; d < e.length; d++) {
        if (e[d] > 0) {
          // numpy.packbits: big-endian bit order, first value in the highest bit
          packed[d >> 3] |= (byte) (0x80 >>> (d & 7));
        }
      }
      if (signed) {
        for (int b = 0; b < packed.length; b++) {
          packed[b] = (byte) ((packed[b] & 0xff) - 128);
        }
      }
      out[i] = packed;
    }
    return out;
  }
}

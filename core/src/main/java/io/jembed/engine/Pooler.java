package io.jembed.engine;

import io.jembed.model.PoolingConfig;
import io.jembed.model.PoolingMode;
import java.nio.FloatBuffer;

/**
 * sentence-transformers' Pooling.forward over one batch of token embeddings (batch x seq x hidden,
 * right-padded), with the same arithmetic: masked sums divided by the clamped token count, etc.
 */
final class Pooler {
  private final PoolingConfig config;

  Pooler(PoolingConfig config) {
    this.config = config;
  }

  /**
   * Pools row {@code row} of the batch.
   *
   * @param hiddenStates the output, row-major [batch][seq][hidden]
   * @param seq padded sequence length of the batch
   * @param hidden hidden size
   * @param length this row's real token count (attention mask ones, from the left)
   * @param promptLength tokens of the prompt to leave out (when include_prompt is false), else 0
   */
  float[] pool(
      FloatBuffer hiddenStates, int row, int seq, int hidden, int length, int promptLength) {
    float[] out = new float[config.outputDimension()];
    int base = row * seq * hidden;
    int first = config.includePrompt() ? 0 : Math.min(promptLength, length);
    int offset = 0;
    for (PoolingMode mode : config.modes()) {
      switch (mode) {
        case CLS -> {
          for (int h = 0; h < hidden; h++) {
            out[offset + h] = hiddenStates.get(base + h);
          }
        }
        case MAX -> {
          for (int h = 0; h < hidden; h++) {
            float max = first < length ? Float.NEGATIVE_INFINITY : -1e9f;
            for (int t = first; t < length; t++) {
              max = Math.max(max, hiddenStates.get(base + t * hidden + h));
            }
            out[offset + h] = max;
          }
        }
        case MEAN, MEAN_SQRT_LEN_TOKENS -> {
          float[] sum = sum(hiddenStates, base, hidden, first, length);
          int count = length - first;
          double divisor =
              mode == PoolingMode.MEAN ? Math.max(count, 1e-9) : Math.sqrt(Math.max(count, 1e-9));
          for (int h = 0; h < hidden; h++) {
            out[offset + h] = (float) (sum[h] / divisor);
          }
        }
        case WEIGHTED_MEAN -> {
          double weights = 0;
          double[] acc = new double[hidden];
          for (int t = first; t < length; t++) {
            int w = t + 1; // weights are positions 1..seq
            weights += w;
            for (int h = 0; h < hidden; h++) {
              acc[h] += (double) w * hiddenStates.get(base + t * hidden + h);
            }
          }
          for (int h = 0; h < hidden; h++) {
            out[offset + h] = (float) (acc[h] / Math.max(weights, 1e-9));
          }
        }
        case LAST_TOKEN -> {
          int last = Math.max(length - 1, 0);
          for (int h = 0; h < hidden; h++) {
            out[offset + h] = hiddenStates.get(base + last * hidden + h);
          }
        }
      }
      offset += hidden;
    }
    return out;
  }

  private static float[] sum(FloatBuffer states, int base, int hidden, int first, int length) {
    float[] sum = new float[hidden];
    for (int t = first; t < length; t++) {
      int p = base + t * hidden;
      for (int h = 0; h < hidden; h++) {
        sum[h] += states.get(p + h);
      }
    }
    return sum;
  }
}

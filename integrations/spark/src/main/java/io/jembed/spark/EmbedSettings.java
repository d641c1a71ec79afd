package io.jembed.spark;

import io.jembed.EncodeOptions;
import io.jembed.Precision;
import java.io.Serializable;
import java.util.Objects;

/**
 * What every task of one {@link JembedEmbedder#transform} needs to know, fixed on the driver and
 * shipped with the tasks: which model to load (see {@link ModelSpec}), how to encode, how malformed
 * rows are treated and the hosted rate budget of this executor.
 *
 * @param model which model each executor loads (once, shared by its tasks)
 * @param batchSize rows per encode call (for hosted models: inputs per request)
 * @param precision float32 gives {@code array<float>}; the quantized precisions {@code binary}
 * @param promptName one of the model's named prompts, or null
 * @param truncateDim keep only the first N dimensions, or null
 * @param normalize null: as the model's pipeline says; else always or never unit length
 * @param failFast stop the job at the first malformed row instead of counting and keeping it
 * @param budget this executor's share of a hosted provider's rate limits
 * @param maxAttempts attempts per hosted batch on top of the provider client's own retries
 */
record EmbedSettings(
    ModelSpec model,
    int batchSize,
    Precision precision,
    String promptName,
    Integer truncateDim,
    Boolean normalize,
    boolean failFast,
    RateBudget budget,
    int maxAttempts)
    implements Serializable {
  /**
   * Measured in local[2] (docs/benchmarks.md): 1,024 rows per call keep 1.00 of encode's rate, 32
   * rows 0.58.
   */
  static final int LOCAL_ROWS_PER_CALL = 1024;

  EmbedSettings {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(precision, "precision");
    Objects.requireNonNull(budget, "budget");
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("max attempts must be at least 1, got " + maxAttempts);
    }
  }

  /**
   * Rows a task hands to one encode call. A hosted batch is one request (what the rate budget
   * counts); a local model gets longer runs, which it sorts by length (less padding) and spreads
   * over its workers.
   */
  int rowsPerCall(boolean hosted) {
    return hosted ? batchSize : Math.max(batchSize, LOCAL_ROWS_PER_CALL);
  }

  /** The options of each encode call. */
  EncodeOptions encodeOptions() {
    return EncodeOptions.builder()
        .batchSize(batchSize)
        .precision(precision)
        .promptName(promptName)
        .truncateDim(truncateDim)
        .normalize(normalize)
        .build();
  }
}

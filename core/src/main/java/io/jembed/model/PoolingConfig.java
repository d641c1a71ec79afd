package io.jembed.model;

import java.util.EnumSet;
import java.util.Set;
import java.util.StringJoiner;

/**
 * The Pooling module's settings (1_Pooling/config.json).
 *
 * @param wordEmbeddingDimension hidden size of the token embeddings
 * @param modes the active modes; their outputs are concatenated in {@link PoolingMode} order
 * @param includePrompt whether prompt tokens take part in pooling
 */
public record PoolingConfig(
    int wordEmbeddingDimension, Set<PoolingMode> modes, boolean includePrompt) {
  public PoolingConfig {
    if (modes.isEmpty()) {
      throw new IllegalArgumentException("a Pooling module needs at least one pooling mode");
    }
    modes = java.util.Collections.unmodifiableSet(EnumSet.copyOf(modes));
  }

  /** The length of the pooled vector. */
  public int outputDimension() {
    return wordEmbeddingDimension * modes.size();
  }

  /** As sentence-transformers prints it: Pooling({'word_embedding_dimension': 384, ...}). */
  @Override
  public String toString() {
    StringJoiner j = new StringJoiner(", ", "Pooling({", "})");
    j.add("'word_embedding_dimension': " + wordEmbeddingDimension);
    j.add("'pooling_mode_cls_token': " + py(modes.contains(PoolingMode.CLS)));
    j.add("'pooling_mode_mean_tokens': " + py(modes.contains(PoolingMode.MEAN)));
    j.add("'pooling_mode_max_tokens': " + py(modes.contains(PoolingMode.MAX)));
    j.add(
        "'pooling_mode_mean_sqrt_len_tokens': "
            + py(modes.contains(PoolingMode.MEAN_SQRT_LEN_TOKENS)));
    j.add("'pooling_mode_weightedmean_tokens': " + py(modes.contains(PoolingMode.WEIGHTED_MEAN)));
    j.add("'pooling_mode_lasttoken': " + py(modes.contains(PoolingMode.LAST_TOKEN)));
    j.add("'include_prompt': " + py(includePrompt));
    return j.toString();
  }

  static String py(boolean b) {
    return b ? "True" : "False";
  }
}

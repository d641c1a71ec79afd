package io.jembed.bench;

import io.jembed.EmbeddingModel;
import io.jembed.Embeddings;
import io.jembed.EncodeOptions;
import io.jembed.JembedException;
import io.jembed.ModelInfo;
import io.jembed.SimilarityFunction;
import java.util.List;
import java.util.Map;

/**
 * Stands for all-MiniLM-L6-v2's identity when every vector is given: the benchmark indexes
 * pre-computed vectors and never encodes.
 */
final class VectorOnlyModel implements EmbeddingModel {
  private final ModelInfo info;

  VectorOnlyModel(int dimension) {
    this.info =
        new ModelInfo(
            "bench",
            "minilm-mixtures",
            "",
            dimension,
            256,
            true,
            SimilarityFunction.COSINE,
            Map.of(),
            null);
  }

  @Override
  public ModelInfo info() {
    return info;
  }

  @Override
  public Embeddings encode(List<String> texts, EncodeOptions options) {
    throw new JembedException("the benchmark gives every vector; nothing to encode");
  }

  @Override
  public int countTokens(String text) {
    return text.length() / 4 + 2;
  }

  @Override
  public void close() {}
}

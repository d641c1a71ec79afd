package io.jembed.spark;

import io.jembed.EmbeddingModel;
import io.jembed.Embeddings;
import io.jembed.EncodeOptions;
import io.jembed.JembedException;
import io.jembed.ModelInfo;
import java.util.List;

/**
 * Stands for the model that made a column's vectors where only its identity is needed: a store that
 * receives every vector ready-made checks and records the model without loading it.
 */
final class VectorsOnlyModel implements EmbeddingModel {
  private final ModelInfo info;
  private final String name;

  VectorsOnlyModel(ModelInfo info, String name) {
    this.info = info;
    this.name = name;
  }

  @Override
  public ModelInfo info() {
    return info;
  }

  @Override
  public Embeddings encode(List<String> texts, EncodeOptions options) {
    throw new JembedException(
        "the store receives ready-made vectors of " + name + "; load that model to encode text");
  }

  /**
   * A rough count (words plus two special tokens): only a store's chunker asks, for the budget of a
   * document prompt, and it never chunks documents that come with their vector.
   */
  @Override
  public int countTokens(String text) {
    String t = text.strip();
    return 2 + (t.isEmpty() ? 0 : t.split("\\s+").length);
  }

  @Override
  public void close() {}
}

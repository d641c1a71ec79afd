package io.jembed.cli;

import io.jembed.EmbeddingModel;
import io.jembed.SentenceTransformer;

/** Where a model was loaded from, as far as the engine tells. */
final class ModelSource {
  private ModelSource() {}

  /**
   * "bundled: /home/me/.cache/jembed/models/..." for a local model; hosted models name their
   * provider.
   */
  static String describe(EmbeddingModel model) {
    if (model instanceof SentenceTransformer local) {
      return local.source() + ": " + local.directory();
    }
    return model.info().provider();
  }
}

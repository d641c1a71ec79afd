package io.jembed;

import java.util.List;

/** A local embedding model: tokenizer, ONNX transformer, pooling, normalization. */
public final class SentenceTransformer implements EmbeddingModel {
  public static SentenceTransformer load(String name) {
    return load(name, LoadOptions.defaults());
  }

  public static SentenceTransformer load(String name, LoadOptions options) {
    throw new UnsupportedOperationException("engine under construction");
  }

  @Override
  public ModelInfo info() {
    throw new UnsupportedOperationException();
  }

  @Override
  public Embeddings encode(List<String> texts, EncodeOptions options) {
    throw new UnsupportedOperationException();
  }

  @Override
  public int countTokens(String text) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void close() {}
}

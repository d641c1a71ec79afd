package io.jembed.langchain4j;

/** The real model the tests share: loaded once per test JVM (the bundled all-MiniLM-L6-v2). */
final class TestModels {
  private static JembedEmbeddingModel miniLm;

  private TestModels() {}

  static synchronized JembedEmbeddingModel miniLm() {
    if (miniLm == null) {
      miniLm = JembedEmbeddingModel.builder().modelName("all-MiniLM-L6-v2").build();
    }
    return miniLm;
  }
}

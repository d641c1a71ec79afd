package io.jembed.langchain4j;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.common.AbstractEmbeddingModelIT;
import dev.langchain4j.model.embedding.listener.EmbeddingModelListener;
import io.jembed.LoadOptions;
import java.util.List;

/**
 * LangChain4j's own contract for embedding models (its published test-jar): the request/response
 * API, input types, dimensions, the convenience methods, listeners. all-MiniLM-L6-v2 has no prompts
 * of its own, so the model under test gets e5-style query and document prompts.
 */
class JembedEmbeddingModelContractTest extends AbstractEmbeddingModelIT {

  /**
   * Over the shared jembed model, which it does not own: JUnit closes AutoCloseable arguments of
   * parameterized tests after each one, and closing this model leaves the shared one open.
   */
  private static JembedEmbeddingModel.Builder withPrompts() {
    return JembedEmbeddingModel.builder()
        .model(TestModels.miniLm().jembedModel())
        .queryPrompt("query: ")
        .documentPrompt("passage: ");
  }

  @Override
  protected List<EmbeddingModel> models() {
    return List.of(withPrompts().build());
  }

  @Override
  protected EmbeddingModel modelWith(EmbeddingModelListener listener) {
    return withPrompts().listeners(List.of(listener)).build();
  }

  /** A model whose jembed model is closed: every call fails. */
  @Override
  protected EmbeddingModel failingModelWith(EmbeddingModelListener listener) {
    io.jembed.EmbeddingModel closed =
        io.jembed.EmbeddingModel.load("all-MiniLM-L6-v2", LoadOptions.defaults());
    closed.close();
    return JembedEmbeddingModel.builder().model(closed).listeners(List.of(listener)).build();
  }

  @Override
  protected boolean supportsImageInput() {
    return false;
  }
}

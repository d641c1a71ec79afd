package io.jembed.springai;

import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.test.vectorstore.BaseVectorStoreTests;
import org.springframework.ai.vectorstore.VectorStore;

/**
 * Spring AI's own vector store tests (its spring-ai-test artifact), run unchanged against a Lucene
 * index (the subclasses: PostgreSQL, OpenSearch).
 */
class JembedVectorStoreContractTest extends BaseVectorStoreTests {
  @TempDir Path folder;

  @Override
  protected void executeTest(Consumer<VectorStore> test) {
    try (JembedVectorStore store =
        JembedVectorStore.builder(TestModels.miniLm()).location(newLocation()).build()) {
      test.accept(store);
    }
  }

  /** Where a test's store lives: a folder (a table or an index in the subclasses). */
  protected String newLocation() {
    return folder.resolve("index").toString();
  }
}

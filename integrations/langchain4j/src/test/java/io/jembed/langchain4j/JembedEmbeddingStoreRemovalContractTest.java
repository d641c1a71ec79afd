package io.jembed.langchain4j;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.EmbeddingStoreWithRemovalIT;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * LangChain4j's own removal contract (by id, by ids, by filter, all), run unchanged against a
 * Lucene index (the subclasses: PostgreSQL, OpenSearch).
 */
class JembedEmbeddingStoreRemovalContractTest extends EmbeddingStoreWithRemovalIT {
  @TempDir Path folder;

  private JembedEmbeddingStore store;

  @BeforeEach
  void openStore() {
    store =
        JembedEmbeddingStore.builder()
            .location(newLocation())
            .embeddingModel(TestModels.miniLm())
            .build();
  }

  /** Where a test's store lives: a folder (a table or an index in the subclasses). */
  protected String newLocation() {
    return folder.resolve("index").toString();
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  @Override
  protected EmbeddingStore<TextSegment> embeddingStore() {
    return store;
  }

  @Override
  protected EmbeddingModel embeddingModel() {
    return TestModels.miniLm();
  }
}

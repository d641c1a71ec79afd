package io.jembed.langchain4j;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.EmbeddingStoreWithFilteringIT;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * LangChain4j's own contract for stores with metadata filters (its published test-jar), run
 * unchanged against a Lucene index in a fresh folder for every test (the subclasses: a fresh table
 * in PostgreSQL, a fresh index in OpenSearch).
 */
class JembedEmbeddingStoreContractTest extends EmbeddingStoreWithFilteringIT {
  @TempDir static Path folders;

  private JembedEmbeddingStore store;

  @Override
  protected void ensureStoreIsReady() {
    // a fresh index per test: a metadata key keeps the type it was first given, and the cases
    // reuse "key" for text in one test and numbers in the next
    store =
        JembedEmbeddingStore.builder()
            .location(newLocation())
            .embeddingModel(TestModels.miniLm())
            .build();
  }

  /** Where a test's fresh store lives: a new folder (a table or an index in the subclasses). */
  protected String newLocation() {
    try {
      return Files.createTempDirectory(folders, "index").toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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

  /** jembed's CONTAINS: a substring of a text value, case-sensitive, as ContainsString. */
  @Override
  protected boolean supportsContains() {
    return true;
  }

  /** Matches carry no vector: jembed's search returns texts, metadata and scores. */
  @Override
  protected boolean assertEmbedding() {
    return false;
  }
}

package io.jembed.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.loader.FileSystemDocumentLoader;
import dev.langchain4j.data.document.splitter.DocumentSplitters;
import dev.langchain4j.model.embedding.request.EmbeddingInputType;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.retriever.EmbeddingStoreContentRetriever;
import dev.langchain4j.rag.query.Query;
import dev.langchain4j.store.embedding.EmbeddingStoreIngestor;
import dev.langchain4j.store.embedding.IngestionResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LangChain4j's own pipeline end to end: its file loader and recursive splitter feed the project's
 * README and docs into a jembed index through its EmbeddingStoreIngestor; its content retriever
 * answers a question from them.
 */
class RagIngestionTest {
  @TempDir Path folder;

  @Test
  void ingestsTheDocsAndRetrievesTheAnswer() throws IOException {
    Path docs = folder.resolve("docs");
    Files.createDirectories(docs);
    Path root = Path.of("../..").toAbsolutePath().normalize();
    Files.copy(root.resolve("README.md"), docs.resolve("README.md"));
    try (var files = Files.list(root.resolve("docs"))) {
      for (Path p : files.filter(p -> p.toString().endsWith(".md")).toList()) {
        Files.copy(p, docs.resolve(p.getFileName()));
      }
    }
    List<Document> documents = FileSystemDocumentLoader.loadDocuments(docs);
    assertThat(documents).hasSizeGreaterThan(5);

    JembedEmbeddingModel model = TestModels.miniLm();
    try (JembedEmbeddingStore store =
        JembedEmbeddingStore.builder()
            .path(folder.resolve("index"))
            .embeddingModel(model)
            .build()) {
      IngestionResult ingested =
          EmbeddingStoreIngestor.builder()
              .documentSplitter(DocumentSplitters.recursive(800, 80))
              .embeddingModel(model)
              .embeddingStore(store)
              .embeddingInputType(EmbeddingInputType.DOCUMENT)
              .build()
              .ingest(documents);
      long segments = store.jembedStore().stats().documents();
      assertThat(segments).isGreaterThan(documents.size());
      assertThat(ingested.tokenUsage().inputTokenCount()).isPositive();

      EmbeddingStoreContentRetriever retriever =
          EmbeddingStoreContentRetriever.builder()
              .embeddingStore(store)
              .embeddingModel(model)
              .embeddingInputType(EmbeddingInputType.QUERY)
              .maxResults(3)
              .minScore(0.6)
              .build();
      List<Content> answer =
          retriever.retrieve(Query.from("Which command verifies every checksum of an index?"));
      // what the retriever hands the chat model: the passage that names the command is among them
      // (the docs grow, so which passage ranks first is not pinned down)
      assertThat(answer)
          .anySatisfy(
              c -> {
                assertThat(c.textSegment().text()).contains("index check");
                assertThat(c.textSegment().metadata().getString("file_name"))
                    .isIn("index.md", "README.md", "cli.md");
              });
    }
  }
}

package io.jembed.langchain4j.examples;

import static dev.langchain4j.store.embedding.filter.MetadataFilterBuilder.metadataKey;

import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import io.jembed.langchain4j.JembedEmbeddingModel;
import io.jembed.langchain4j.JembedEmbeddingStore;
import java.nio.file.Path;
import java.util.List;

/** The README's LangChain4j snippet: jembed's model and index behind LangChain4j's interfaces. */
public final class LangChain4jQuickStart {
  private LangChain4jQuickStart() {}

  public static List<EmbeddingMatch<TextSegment>> run(Path indexFolder) {
    try (JembedEmbeddingModel model =
            JembedEmbeddingModel.builder().modelName("all-MiniLM-L6-v2").build();
        JembedEmbeddingStore store =
            JembedEmbeddingStore.builder().path(indexFolder).embeddingModel(model).build()) {
      for (String text :
          List.of(
              "Configure nginx as a reverse proxy.",
              "Tune PostgreSQL's work_mem.",
              "Docker packages apps with their dependencies.")) {
        TextSegment segment = TextSegment.from(text, new Metadata().put("year", 2024));
        store.add(model.embed(segment).content(), segment);
      }
      return store
          .search(
              EmbeddingSearchRequest.builder()
                  .queryEmbedding(model.embed("how do I run a website behind nginx?").content())
                  .filter(metadataKey("year").isGreaterThanOrEqualTo(2020))
                  .maxResults(2)
                  .minScore(0.6) // LangChain4j's relevance: (cosine + 1) / 2
                  .build())
          .matches();
    }
  }

  public static void main(String[] args) {
    for (EmbeddingMatch<TextSegment> m : run(Path.of(args.length > 0 ? args[0] : "my-index"))) {
      System.out.printf("%.3f  %s%n", m.score(), m.embedded().text());
    }
  }
}

package io.jembed.springai.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.jembed.springai.JembedEmbeddingModel;
import io.jembed.springai.JembedVectorStore;
import io.jembed.springai.autoconfigure.examples.DocsSearch;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.vectorstore.SearchRequest;
import org.springframework.ai.vectorstore.VectorStore;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A Spring Boot application whose only configuration is jembed's properties: Spring AI's
 * EmbeddingModel and VectorStore are autowired, documents added, a filtered similarity search
 * answered from the index on disk.
 */
// closes the context (and the model) after the class, not in the JVM's shutdown hook
@DirtiesContext
@SpringBootTest(properties = {"jembed.model=all-MiniLM-L6-v2", "jembed.index.quantization=none"})
class JembedAutoConfigurationTest {
  @TempDir static Path folder;

  @DynamicPropertySource
  static void indexPath(DynamicPropertyRegistry registry) {
    registry.add("jembed.index.path", () -> folder.resolve("index").toString());
  }

  @Configuration
  @EnableAutoConfiguration
  @Import(DocsSearch.class)
  static class Application {}

  @Autowired EmbeddingModel embeddingModel;
  @Autowired VectorStore vectorStore;
  @Autowired DocsSearch docsSearch;

  @Test
  void autowiresJembedsModelAndStoreAndSearchesWithAFilter() {
    assertThat(embeddingModel).isInstanceOf(JembedEmbeddingModel.class);
    assertThat(vectorStore).isInstanceOf(JembedVectorStore.class);
    assertThat(embeddingModel.dimensions()).isEqualTo(384);

    vectorStore.add(
        List.of(
            new Document(
                "nginx", "Configure nginx as a reverse proxy.", Map.of("year", 2022, "lang", "en")),
            new Document(
                "apache",
                "Run Apache httpd in front of a web application.",
                Map.of("year", 2018, "lang", "en")),
            new Document(
                "pg",
                "Tuning PostgreSQL: shared_buffers and work_mem.",
                Map.of("year", 2023, "lang", "de"))));

    List<Document> hits =
        vectorStore.similaritySearch(
            SearchRequest.builder()
                .query("how do I put a web server in front of my app?")
                .topK(3)
                .filterExpression("lang == 'en' && year >= 2020")
                .build());
    assertThat(hits).extracting(Document::getId).containsExactly("nginx");
    assertThat(hits.get(0).getScore()).isBetween(0.3, 1.0);
    // the README's snippet, through the same beans
    assertThat(docsSearch.recentEnglish("a reverse proxy for my site"))
        .extracting(Document::getId)
        .containsExactly("nginx");
    assertThat(Files.exists(folder.resolve("index").resolve("jembed-index.json"))).isTrue();
  }

  @Test
  void configurationMetadataListsJembedsProperties() throws Exception {
    String ours = null;
    var resources =
        getClass().getClassLoader().getResources("META-INF/spring-configuration-metadata.json");
    while (resources.hasMoreElements()) {
      try (InputStream in = resources.nextElement().openStream()) {
        String json = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (json.contains("io.jembed.springai.autoconfigure.JembedProperties")) {
          ours = json;
        }
      }
    }
    assertThat(ours).as("jembed's spring-configuration-metadata.json").isNotNull();
    assertThat(ours)
        .contains("\"jembed.model\"", "\"jembed.index.path\"", "\"jembed.threads\"")
        .contains("The embedding model: a bundled name")
        .contains("\"defaultValue\": \"all-MiniLM-L6-v2\"");
  }
}

package io.jembed.springai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.document.Document;
import org.springframework.ai.vectorstore.SearchRequest;
import org.springframework.ai.vectorstore.SimpleVectorStore;
import org.springframework.ai.vectorstore.filter.FilterExpressionBuilder;

class JembedVectorStoreTest {
  @TempDir Path folder;

  private static final List<Document> DOCS =
      List.of(
          new Document(
              "nginx", "Configure nginx as a reverse proxy.", Map.of("year", 2022, "lang", "en")),
          new Document(
              "pg", "Tuning PostgreSQL: shared_buffers and work_mem.", Map.of("year", 2019)),
          new Document("cat", "The cat sat on the mat.", Map.of("lang", "en", "draft", true)));

  private JembedVectorStore store() {
    return JembedVectorStore.builder(TestModels.miniLm()).path(folder.resolve("index")).build();
  }

  @Test
  void scoresThresholdAndDistanceAreThoseOfSpringAisInMemoryStore() {
    SimpleVectorStore reference = SimpleVectorStore.builder(TestModels.miniLm()).build();
    reference.add(DOCS);
    try (JembedVectorStore store = store()) {
      store.add(DOCS);
      SearchRequest all = SearchRequest.builder().query("website behind a proxy").topK(3).build();
      List<Document> ours = store.similaritySearch(all);
      List<Document> theirs = reference.similaritySearch(all);
      assertThat(ours)
          .extracting(Document::getId)
          .isEqualTo(theirs.stream().map(Document::getId).toList());
      for (int i = 0; i < ours.size(); i++) {
        assertThat(ours.get(i).getScore()).isCloseTo(theirs.get(i).getScore(), within(1e-5));
        assertThat((Double) ours.get(i).getMetadata().get("distance"))
            .isCloseTo(1 - ours.get(i).getScore(), within(1e-12));
      }
      // the threshold is on the cosine, inclusive: just under the second score keeps two
      double second = theirs.get(1).getScore();
      SearchRequest two = SearchRequest.from(all).similarityThreshold(second - 1e-6).build();
      assertThat(store.similaritySearch(two))
          .hasSize(reference.similaritySearch(two).size())
          .hasSize(2);
    }
  }

  @Test
  void filtersInTheTextFormAndBuiltAreTheSame() {
    try (JembedVectorStore store = store()) {
      store.add(DOCS);
      SearchRequest text =
          SearchRequest.builder()
              .query("software")
              .topK(5)
              .filterExpression("year >= 2020 AND (lang == 'en' OR lang IN ['de', 'fr'])")
              .build();
      FilterExpressionBuilder b = new FilterExpressionBuilder();
      SearchRequest built =
          SearchRequest.from(text)
              .filterExpression(
                  b.and(
                          b.gte("year", 2020),
                          b.group(b.or(b.eq("lang", "en"), b.in("lang", "de", "fr"))))
                      .build())
              .build();
      assertThat(store.similaritySearch(text)).extracting(Document::getId).containsExactly("nginx");
      assertThat(store.similaritySearch(built))
          .extracting(Document::getId)
          .containsExactly("nginx");
      // booleans are kept as their text and compare as such (the query "software" is far from
      // the cat: as in Spring AI's in-memory store, a negative cosine is below every threshold)
      assertThat(
              store.similaritySearch(
                  SearchRequest.builder()
                      .query("anything")
                      .filterExpression("draft == true")
                      .build()))
          .extracting(Document::getId)
          .containsExactly("cat");
    }
  }

  @Test
  void aComparisonOnAMissingKeyIsFalseAsInSqlNotFirstAsInTheInMemoryStore() {
    SimpleVectorStore reference = SimpleVectorStore.builder(TestModels.miniLm()).build();
    reference.add(DOCS);
    try (JembedVectorStore store = store()) {
      store.add(DOCS);
      SearchRequest before2020 =
          SearchRequest.builder().query("anything").topK(5).filterExpression("year < 2020").build();
      assertThat(store.similaritySearch(before2020))
          .extracting(Document::getId)
          .containsExactly("pg");
      assertThat(reference.similaritySearch(before2020))
          .extracting(Document::getId)
          .containsExactlyInAnyOrder("pg", "cat");
      // a key no document has: missing everywhere, not an error
      assertThat(
              store.similaritySearch(
                  SearchRequest.from(before2020).filterExpression("author == 'x'").build()))
          .isEmpty();
      assertThat(
              store.similaritySearch(
                  SearchRequest.from(before2020).filterExpression("author IS NULL").build()))
          .hasSize(3);
    }
  }

  @Test
  void documentsAndDeletesAreDurableAcrossReopening() {
    try (JembedVectorStore store = store()) {
      store.add(DOCS);
      store.delete("year < 2020");
    }
    try (JembedVectorStore store = store()) {
      assertThat(store.similaritySearch(SearchRequest.builder().query("anything").topK(5).build()))
          .extracting(Document::getId)
          .containsExactlyInAnyOrder("nginx", "cat");
      assertThat(store.<io.jembed.index.VectorStore>getNativeClient())
          .get()
          .extracting(s -> s.stats().documents())
          .isEqualTo(2L);
    }
  }

  @Test
  void badInputIsRefusedWithItsName() {
    try (JembedVectorStore store = store()) {
      assertThatThrownBy(
              () -> store.add(List.of(new Document("x", "text", Map.of("bad key!", "v")))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("bad key!");
      store.add(DOCS);
      assertThatThrownBy(
              () ->
                  store.similaritySearch(
                      SearchRequest.builder()
                          .query("q")
                          .filterExpression("year == 'recent'")
                          .build()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("year")
          .hasMessageContaining("recent");
    }
  }

  @Test
  void theModelReportsTruncationAndCanRefuseIt() {
    String longText = "word ".repeat(400);
    var response = TestModels.miniLm().embedForResponse(List.of("short", longText));
    assertThat((Object) response.getMetadata().get(JembedEmbeddingModel.TRUNCATED_INPUTS))
        .isEqualTo(List.of(1));
    try (JembedEmbeddingModel strict =
        JembedEmbeddingModel.builder()
            .model(TestModels.miniLm().jembedModel())
            .failOnTruncation(true)
            .build()) {
      assertThatThrownBy(() -> strict.embed(List.of("short", longText)))
          .hasMessageContaining("input 1 has 402 tokens")
          .hasMessageContaining("256");
      float[] vector = strict.embed("short");
      assertThat(vector).hasSize(384);
    }
  }
}

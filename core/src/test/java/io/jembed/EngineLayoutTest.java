package io.jembed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The engine's session layouts (one session on all cores; parallel workers sharing or owning
 * sessions; a latency session for repeated single-batch encodes) give the same vectors.
 */
class EngineLayoutTest {
  static SentenceTransformer reference;
  static List<String> texts;

  @BeforeAll
  static void load() {
    reference =
        SentenceTransformer.load(
            "all-MiniLM-L6-v2", LoadOptions.builder().property("workers", "1").build());
    texts = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      texts.add(
          "Sentence number "
              + i
              + " talks about "
              + "cats and dogs and birds ".repeat(1 + i % 7)
              + "in a garden.");
    }
  }

  @AfterAll
  static void close() {
    reference.close();
  }

  private static void assertSameVectors(SentenceTransformer model) {
    // small batches: many batches, so several workers take part
    EncodeOptions options = EncodeOptions.builder().batchSize(4).build();
    Embeddings expected = reference.encode(texts, options);
    Embeddings actual = model.encode(texts, options);
    for (int i = 0; i < texts.size(); i++) {
      assertThat(SimilarityFunction.COSINE.score(expected.get(i), actual.get(i)))
          .as("text %d", i)
          .isGreaterThanOrEqualTo(0.99999f);
    }
    assertThat(
            SimilarityFunction.COSINE.score(
                reference.encode("one query"), model.encode("one query")))
        .isGreaterThanOrEqualTo(0.99999f);
  }

  @Test
  void theDefaultLayoutGivesTheSameVectors() {
    try (SentenceTransformer model = SentenceTransformer.load("all-MiniLM-L6-v2")) {
      assertSameVectors(model);
    }
  }

  @Test
  void theFusedGraphGivesTheSameVectorsAsTheOriginalOne() {
    // the reference runs the fused graph (the default); this one ONNX Runtime's graph as exported
    try (SentenceTransformer model =
        SentenceTransformer.load(
            "all-MiniLM-L6-v2",
            LoadOptions.builder()
                .property("workers", "1")
                .property("graphFusion", "false")
                .build())) {
      assertSameVectors(model);
    }
  }

  @Test
  void repeatedSingleQueriesMoveToALatencySessionWithTheSameVectors() throws Exception {
    try (SentenceTransformer model =
        SentenceTransformer.load(
            "all-MiniLM-L6-v2",
            LoadOptions.builder().threads(2).property("workers", "2").build())) {
      float[] expected = reference.encode("one query");
      assertThat(model.latencySessionReady()).isFalse();
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (!model.latencySessionReady() && System.nanoTime() < deadline) {
        assertThat(SimilarityFunction.COSINE.score(expected, model.encode("one query")))
            .isGreaterThanOrEqualTo(0.99999f);
        Thread.sleep(20);
      }
      assertThat(model.latencySessionReady()).as("latency session opened").isTrue();
      assertThat(SimilarityFunction.COSINE.score(expected, model.encode("one query")))
          .isGreaterThanOrEqualTo(0.99999f);
    }
  }

  @Test
  void oneShotUseNeverOpensTheLatencySession() {
    try (SentenceTransformer model =
        SentenceTransformer.load(
            "all-MiniLM-L6-v2",
            LoadOptions.builder().threads(2).property("workers", "2").build())) {
      model.encode("just one");
      assertThat(model.latencySessionReady()).isFalse();
    }
  }

  /** sessions 1: two workers share one session (one copy of the weights); 2: one each. */
  @ParameterizedTest(name = "two workers on {0} session(s)")
  @ValueSource(strings = {"1", "2"})
  void twoWorkersGiveTheSameVectorsSharingASessionOrNot(String sessions) {
    try (SentenceTransformer model =
        SentenceTransformer.load(
            "all-MiniLM-L6-v2",
            LoadOptions.builder()
                .threads(2)
                .property("workers", "2")
                .property("sessions", sessions)
                .build())) {
      assertSameVectors(model);
    }
  }

  @Test
  void onnxRuntimeSessionConfigEntriesArePassedThrough() {
    try (SentenceTransformer model =
        SentenceTransformer.load(
            "all-MiniLM-L6-v2",
            LoadOptions.builder()
                .property(
                    "ortConfig", "session.set_denormal_as_zero=1; session.use_env_allocators=0")
                .build())) {
      assertSameVectors(model);
    }
  }

  @Test
  void malformedLayoutPropertiesAreRefusedByName() {
    assertThatThrownBy(
            () ->
                SentenceTransformer.load(
                    "all-MiniLM-L6-v2",
                    LoadOptions.builder().property("ortConfig", "no-equals-sign").build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ortConfig")
        .hasMessageContaining("no-equals-sign");
    assertThatThrownBy(
            () ->
                SentenceTransformer.load(
                    "all-MiniLM-L6-v2", LoadOptions.builder().property("workers", "0").build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("workers");
    assertThatThrownBy(
            () ->
                SentenceTransformer.load(
                    "all-MiniLM-L6-v2", LoadOptions.builder().property("worker", "2").build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown property 'worker'")
        .hasMessageContaining("workers");
    assertThatThrownBy(
            () ->
                SentenceTransformer.load(
                    "all-MiniLM-L6-v2",
                    LoadOptions.builder().property("latencySession", "yes").build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("latencySession");
    assertThatThrownBy(
            () ->
                SentenceTransformer.load(
                    "all-MiniLM-L6-v2",
                    LoadOptions.builder().property("graphFusion", "on").build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("graphFusion must be true or false, got 'on'");
    // ONNX Runtime refuses a value it cannot parse; the message points at ortConfig
    assertThatThrownBy(
            () ->
                SentenceTransformer.load(
                    "all-MiniLM-L6-v2",
                    LoadOptions.builder()
                        .property("ortConfig", "session.dynamic_block_base=x")
                        .build()))
        .isInstanceOf(JembedException.class)
        .hasMessageContaining("ortConfig")
        .hasMessageContaining("session.dynamic_block_base");
  }
}

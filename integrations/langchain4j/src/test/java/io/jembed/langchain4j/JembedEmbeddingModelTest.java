package io.jembed.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.request.EmbeddingRequest;
import dev.langchain4j.model.embedding.response.EmbeddingResponse;
import io.jembed.SimilarityFunction;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the adapter adds to LangChain4j's contract: truncation reports and batched encoding. */
class JembedEmbeddingModelTest {
  private static final String LONG_TEXT = "word ".repeat(400);

  @Test
  void reportsTruncatedInputsAndCanRefuseThem() {
    EmbeddingResponse response =
        TestModels.miniLm()
            .embed(
                EmbeddingRequest.builder()
                    .textSegments(List.of(TextSegment.from("short"), TextSegment.from(LONG_TEXT)))
                    .build());
    assertThat(response.embeddings()).hasSize(2);
    assertThat(response.metadata())
        .isInstanceOfSatisfying(
            JembedEmbeddingResponseMetadata.class,
            m -> assertThat(m.truncatedInputs()).containsExactly(1));

    try (JembedEmbeddingModel strict =
        JembedEmbeddingModel.builder()
            .model(TestModels.miniLm().jembedModel())
            .failOnTruncation(true)
            .build()) {
      assertThatThrownBy(
              () ->
                  strict.embedAll(List.of(TextSegment.from("short"), TextSegment.from(LONG_TEXT))))
          .hasMessageContaining("input 1 has 402 tokens")
          .hasMessageContaining("256");
      assertThat(strict.embed("short").content().dimension()).isEqualTo(384);
    }
  }

  @Test
  void aBatchGivesEachTextTheVectorItHasAlone() {
    // more texts than one batch holds, of mixed lengths: encoded in length-sorted batches, returned
    // in input order
    List<TextSegment> segments = new ArrayList<>();
    for (int i = 0; i < 70; i++) {
      segments.add(
          TextSegment.from("Note " + i + ": the index keeps" + " its vectors".repeat(i % 9)));
    }
    List<Embedding> batched = TestModels.miniLm().embedAll(segments).content();
    assertThat(batched).hasSize(segments.size());
    for (int i = 0; i < segments.size(); i += 7) {
      float[] alone = TestModels.miniLm().embed(segments.get(i)).content().vector();
      assertThat(SimilarityFunction.COSINE.score(batched.get(i).vector(), alone))
          .as("text %d", i)
          .isGreaterThan(0.9999f);
    }
  }
}

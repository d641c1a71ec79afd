package io.jembed.fidelity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.jembed.Embeddings;
import io.jembed.EncodeOptions;
import io.jembed.OutputValue;
import io.jembed.SentenceTransformer;
import io.jembed.Vectors;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The pipeline settings of each bundled model, as its sentence-transformers configuration says. */
class PipelineSettingsTest {
  static final String TEXT = "How do I connect Python to a database?";

  @Test
  void bgeUsesClsPoolingAndItsQueryInstruction() {
    try (SentenceTransformer bge = SentenceTransformer.load("bge-small-en-v1.5")) {
      assertThat(bge.maxSeqLength()).isEqualTo(512);
      assertThat(bge.toString())
          .contains("'do_lower_case': True")
          .contains("'pooling_mode_cls_token': True")
          .contains("'pooling_mode_mean_tokens': False")
          .contains("Normalize()");
      // CLS pooling: the sentence vector is the normalized first token vector
      Embeddings e =
          bge.encode(
              List.of(TEXT),
              EncodeOptions.builder().outputValue(OutputValue.TOKEN_EMBEDDINGS).build());
      float[] cls = Vectors.normalized(e.tokenEmbeddings().get(0)[0]);
      assertThat(e.get(0)).containsExactly(cls, within(1e-6f));
      // its query instruction, and no prompt for documents
      assertThat(bge.encodeQuery(TEXT))
          .containsExactly(
              bge.encode("Represent this sentence for searching relevant passages: " + TEXT),
              within(1e-6f));
      assertThat(bge.encodeDocument(TEXT)).containsExactly(bge.encode(TEXT), within(1e-6f));
    }
  }

  @Test
  void e5UsesMeanPoolingAndQueryPassagePrompts() {
    try (SentenceTransformer e5 = SentenceTransformer.load("e5-small-v2")) {
      assertThat(e5.maxSeqLength()).isEqualTo(512);
      assertThat(e5.toString()).contains("'pooling_mode_mean_tokens': True");
      assertThat(e5.encodeQuery(TEXT)).containsExactly(e5.encode("query: " + TEXT), within(1e-6f));
      assertThat(e5.encodeDocument(TEXT))
          .containsExactly(e5.encode("passage: " + TEXT), within(1e-6f));
      Embeddings named =
          e5.encode(List.of(TEXT), EncodeOptions.builder().promptName("query").build());
      assertThat(named.get(0)).containsExactly(e5.encode("query: " + TEXT), within(1e-6f));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"all-MiniLM-L6-v2", "e5-small-v2-int8"})
  void meanPoolingIsTheMeanOfTokenVectors(String name) {
    try (SentenceTransformer m = SentenceTransformer.load(name)) {
      Embeddings e =
          m.encode(
              List.of(TEXT, "short"),
              EncodeOptions.builder().outputValue(OutputValue.TOKEN_EMBEDDINGS).build());
      for (int i = 0; i < 2; i++) {
        float[][] tokens = e.tokenEmbeddings().get(i);
        float[] mean = new float[tokens[0].length];
        for (float[] t : tokens) {
          for (int d = 0; d < mean.length; d++) {
            mean[d] += t[d] / tokens.length;
          }
        }
        assertThat(e.get(i)).containsExactly(Vectors.normalized(mean), within(1e-5f));
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"bge-small-en-v1.5-int8", "e5-small-v2"})
  void longInputIsTruncatedAt512Tokens(String name) {
    try (SentenceTransformer m = SentenceTransformer.load(name)) {
      Embeddings e =
          m.encode(List.of("token ".repeat(300), "token ".repeat(700)), EncodeOptions.defaults());
      assertThat(e.tokenCounts()[0]).isEqualTo(302);
      assertThat(e.truncated(0)).isFalse();
      assertThat(e.tokenCounts()[1]).isEqualTo(512);
      assertThat(e.truncatedCount()).isEqualTo(1);
    }
  }
}

package io.jembed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SentenceTransformerTest {
  static SentenceTransformer model;

  @BeforeAll
  static void load() {
    model = SentenceTransformer.load("all-MiniLM-L6-v2");
  }

  @AfterAll
  static void close() {
    model.close();
  }

  @Test
  void oneTextGivesAUnitVectorOf384Floats() {
    float[] v = model.encode("The cat sat on the mat.");
    assertThat(v).hasSize(384);
    assertThat(Vectors.norm(v)).isCloseTo(1.0, within(1e-5));
    assertThat(model.dimension()).isEqualTo(384);
    assertThat(model.maxSeqLength()).isEqualTo(256);
    assertThat(model.similarityFunction()).isEqualTo(SimilarityFunction.COSINE);
  }

  @Test
  void printsThePipelineAsSentenceTransformersDoes() {
    assertThat(model.toString())
        .isEqualTo(
            """
            SentenceTransformer(
              (0): Transformer({'max_seq_length': 256, 'do_lower_case': False, 'architecture': 'BertModel'})
              (1): Pooling({'word_embedding_dimension': 384, 'pooling_mode_cls_token': False, \
            'pooling_mode_mean_tokens': True, 'pooling_mode_max_tokens': False, \
            'pooling_mode_mean_sqrt_len_tokens': False, 'pooling_mode_weightedmean_tokens': False, \
            'pooling_mode_lasttoken': False, 'include_prompt': True})
              (2): Normalize()
            )""");
  }

  @Test
  void batchAgreesWithSingleEncodesAndKeepsInputOrder() {
    List<String> texts =
        List.of(
            "A short one.",
            "A considerably longer sentence that has many more tokens than the others in here.",
            "",
            "Medium length sentence about dogs.",
            "The cat sat on the mat.");
    Embeddings batch = model.encode(texts, EncodeOptions.builder().batchSize(2).build());
    assertThat(batch.size()).isEqualTo(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      float[] single = model.encode(texts.get(i));
      for (int d = 0; d < single.length; d++) {
        assertThat(batch.get(i)[d]).as("text %d dim %d", i, d).isCloseTo(single[d], within(1e-5f));
      }
    }
  }

  @Test
  void relatedSentencesScoreHigherThanUnrelatedOnes() {
    float[][] v =
        model.encode(
            List.of(
                "The cat sat on the mat.",
                "A dog rested on the rug.",
                "LLMs are trained on large text datasets."));
    float[][] sim = model.similarity(v, v);
    assertThat(sim[0][0]).isCloseTo(1f, within(1e-5f));
    assertThat(sim[0][1]).isGreaterThan(sim[0][2]).isGreaterThan(0.3f);
    assertThat(sim[0][1]).isGreaterThan(sim[1][2]);
  }

  @Test
  void truncatesAtMaxSeqLengthNotAtTheTokenizerFiles128() {
    String words200 = "word ".repeat(200).trim(); // 200 tokens + CLS + SEP
    String words400 = "word ".repeat(400).trim();
    Embeddings e = model.encode(List.of(words200, words400), EncodeOptions.defaults());
    assertThat(e.tokenCounts()[0]).isEqualTo(202);
    assertThat(e.truncated(0)).isFalse();
    assertThat(e.tokenCounts()[1]).isEqualTo(256);
    assertThat(e.truncated(1)).isTrue();
    assertThat(e.truncatedCount()).isEqualTo(1);
    assertThat(model.countTokens(words400)).isEqualTo(402);
  }

  @Test
  void promptsArePrependedToTheText() {
    float[] withPrompt =
        model
            .encode(List.of("what is a cat?"), EncodeOptions.builder().prompt("query: ").build())
            .get(0);
    float[] manual = model.encode("query: what is a cat?");
    assertThat(withPrompt).containsExactly(manual, within(1e-6f));
    assertThatThrownBy(
            () -> model.encode(List.of("x"), EncodeOptions.builder().promptName("query").build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("prompt name 'query' not found");
  }

  @Test
  void aTruncateDimLargerThanTheVectorsIsRejectedNamingBoth() {
    EncodeOptions tooWide = EncodeOptions.builder().truncateDim(999).build();
    assertThatThrownBy(() -> model.encode(List.of("a text"), tooWide))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("999")
        .hasMessageContaining("384");
    assertThatThrownBy(() -> model.info().withOptions(tooWide))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(model.encode(List.of("a text"), EncodeOptions.builder().truncateDim(384).build()))
        .satisfies(e -> assertThat(e.dimension()).isEqualTo(384));
  }

  @Test
  void normalizeTruncateDimAndPrecisionFollowSentenceTransformers() {
    List<String> texts = List.of("first text", "second text", "a third, different text");
    Embeddings raw = model.encode(texts, EncodeOptions.builder().normalize(false).build());
    assertThat(Vectors.norm(raw.get(0))).isNotCloseTo(1.0, within(1e-3));
    assertThat(raw.model().normalized()).isFalse();

    Embeddings truncated = model.encode(texts, EncodeOptions.builder().truncateDim(64).build());
    assertThat(truncated.get(0)).hasSize(64);
    assertThat(truncated.model().dimension()).isEqualTo(64);
    assertThat(Vectors.norm(truncated.get(0))).isLessThan(1.0);
    Embeddings renormalized =
        model.encode(texts, EncodeOptions.builder().truncateDim(64).normalize(true).build());
    assertThat(Vectors.norm(renormalized.get(0))).isCloseTo(1.0, within(1e-5));

    Embeddings binary =
        model.encode(texts, EncodeOptions.builder().precision(Precision.UBINARY).build());
    assertThat(binary.quantized()[0]).hasSize(48);
    float[] v = binary.get(0);
    for (int d = 0; d < v.length; d++) {
      boolean bit = (binary.quantized()[0][d / 8] & (0x80 >>> (d % 8))) != 0;
      assertThat(bit).isEqualTo(v[d] > 0);
    }
    Embeddings int8 =
        model.encode(texts, EncodeOptions.builder().precision(Precision.INT8).build());
    assertThat(int8.quantized()[0]).hasSize(384);
    // the calibration range is the batch's own min/max per dimension: extremes hit -128 and 127
    int min = 0;
    int max = 0;
    for (byte[] q : int8.quantized()) {
      for (byte b : q) {
        min = Math.min(min, b);
        max = Math.max(max, b);
      }
    }
    assertThat(min).isEqualTo(-128);
    assertThat(max).isEqualTo(127);
  }

  @Test
  void tokenEmbeddingsHaveOneVectorPerToken() {
    Embeddings e =
        model.encode(
            List.of("Hello world", "one two three four"),
            EncodeOptions.builder().outputValue(OutputValue.TOKEN_EMBEDDINGS).build());
    assertThat(e.tokenEmbeddings()).hasSize(2);
    assertThat(e.tokenEmbeddings().get(0).length).isEqualTo(e.tokenCounts()[0]);
    assertThat(e.tokenEmbeddings().get(1)[0]).hasSize(384);
  }

  @Test
  void badInputGetsClearErrors() {
    assertThatThrownBy(() -> model.encode((String) null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("null");
    List<String> withNull = new ArrayList<>();
    withNull.add("ok");
    withNull.add(null);
    assertThatThrownBy(() -> model.encode(withNull))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("index 1");
    assertThat(model.encode(List.of())).isEmpty();
  }

  @Test
  void oddTextNeverCrashes() {
    String big = "Lorem ipsum dolor sit amet. ".repeat(40_000); // about 1 MB
    List<String> texts =
        List.of(
            big,
            "\u0000\u0001\u0007\t\r\n control",
            "lone \uD800 high and \uDC00 low surrogates",
            "emoji 😀🐈‍⬛👍🏽",
            "中文文本和日本語のテキスト",
            "   ",
            "\uFEFF bom");
    Embeddings e = model.encode(texts, EncodeOptions.defaults());
    for (int i = 0; i < texts.size(); i++) {
      assertThat(Vectors.norm(e.get(i))).as("text %d", i).isCloseTo(1.0, within(1e-4));
    }
    assertThat(e.truncated(0)).isTrue();
  }

  @Test
  void concurrentCallersGetTheSameVectors() throws Exception {
    List<String> texts =
        List.of("alpha beta", "gamma delta epsilon", "zeta", "eta theta iota kappa");
    float[][] expected = model.encode(texts);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<float[][]>> futures = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        futures.add(pool.submit(() -> model.encode(texts)));
      }
      for (Future<float[][]> f : futures) {
        float[][] got = f.get();
        for (int i = 0; i < expected.length; i++) {
          assertThat(got[i]).containsExactly(expected[i], within(1e-5f));
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void closedModelRefusesWork() {
    SentenceTransformer m = SentenceTransformer.load("all-MiniLM-L6-v2");
    m.close();
    m.close(); // idempotent
    assertThatThrownBy(() -> m.encode("x"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }
}

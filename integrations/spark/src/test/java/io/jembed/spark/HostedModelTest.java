package io.jembed.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A hosted model (OpenAI-compatible, on a fake endpoint on 127.0.0.1) in local[2]: the rate budget
 * holds, rate-limited and failing requests are sent again, and no row is ever lost.
 */
class HostedModelTest extends LocalSpark {
  FakeEmbeddingApi api;

  @BeforeEach
  void startApi() throws Exception {
    api = new FakeEmbeddingApi();
  }

  @AfterEach
  void stopApi() {
    api.close();
  }

  /** The provider client gives up at once, so that every failure reaches the Spark layer. */
  JembedEmbedder hosted() {
    return new JembedEmbedder()
        .setModelName("openai-compatible:fake-embed")
        .setBaseUrl(api.baseUrl())
        .setModelProperties("max-retries=0,initial-backoff-ms=20");
  }

  static List<String> texts(int n) {
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      texts.add("text number " + i);
    }
    return texts;
  }

  static void assertEveryRowHasItsOwnVector(Dataset<Row> out, List<String> texts) {
    Map<Long, Row> rows = JembedEmbedderTest.byId(out);
    assertThat(rows).hasSize(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      Row row = rows.get((long) i);
      assertThat(row.getString(1)).isEqualTo(texts.get(i));
      float[] expected = FakeEmbeddingApi.vectorFor(texts.get(i));
      float[] got = JembedEmbedderTest.floats(row, "embedding");
      for (int d = 0; d < expected.length; d++) {
        assertThat(got[d]).isCloseTo(expected[d], within(1e-6f));
      }
    }
  }

  @Test
  void theBudgetHoldsTheExecutorToItsShare() {
    List<String> texts = texts(200);
    // 2,400 requests a minute for 2 executors: this one may send 1,200 a minute, 20 a second
    JembedEmbedder embedder = hosted().setBatchSize(2).setRequestsPerMinute(2400).setExecutors(2);
    Dataset<Row> out = embedder.transform(JembedEmbedderTest.texts(texts, 4));
    assertEveryRowHasItsOwnVector(out, texts);

    List<FakeEmbeddingApi.Served> served = api.served();
    assertThat(served).hasSize(100);
    int perSecond = 1200 / 60;
    for (FakeEmbeddingApi.Served first : served) {
      long inTwoSeconds =
          served.stream()
              .filter(s -> s.nanos() >= first.nanos() && s.nanos() < first.nanos() + 2e9)
              .count();
      // requests granted in one second may arrive in the next: allow some jitter at each edge
      assertThat(inTwoSeconds).isLessThanOrEqualTo(2 * perSecond + 4);
    }
    double seconds = (served.get(99).nanos() - served.get(0).nanos()) / 1e9;
    assertThat(seconds).isGreaterThanOrEqualTo((100.0 - perSecond) / perSecond * 0.95);
    assertThat(embedder.lastMetrics().rateLimitWaitMillis()).isPositive();
  }

  @Test
  void rateLimitedRequestsAreSentAgainAndNoRowIsLost() {
    api.limit(3, 300);
    List<String> texts = texts(120);
    JembedEmbedder embedder = hosted().setBatchSize(3).setMaxAttempts(12);
    Dataset<Row> out = embedder.transform(JembedEmbedderTest.texts(texts, 4));
    assertEveryRowHasItsOwnVector(out, texts);
    assertThat(api.rateLimited()).isPositive();
    assertThat(embedder.lastMetrics().retries()).isPositive();
    assertThat(embedder.lastMetrics().embedded()).isEqualTo(120);
    // each text was embedded by exactly one answered request
    Map<String, Integer> times = new HashMap<>();
    api.served().forEach(s -> s.inputs().forEach(t -> times.merge(t, 1, Integer::sum)));
    assertThat(times).hasSize(120).allSatisfy((text, n) -> assertThat(n).isEqualTo(1));
  }

  @Test
  void aTextTheProviderRefusesIsKeptAndTheOthersAreEmbedded() {
    List<String> texts = new ArrayList<>(texts(9));
    texts.set(4, "");
    JembedEmbedder embedder = hosted().setBatchSize(9).setErrorCol("why");
    Map<Long, Row> rows =
        JembedEmbedderTest.byId(embedder.transform(JembedEmbedderTest.texts(texts, 1)));
    assertThat(rows.get(4L).isNullAt(2)).isTrue();
    assertThat(rows.get(4L).getString(3))
        .startsWith("the model refused the text: ")
        .contains("HTTP 400");
    assertThat(JembedEmbedderTest.floats(rows.get(5L), "embedding"))
        .containsExactly(FakeEmbeddingApi.vectorFor("text number 5"));
    assertThat(embedder.lastMetrics().malformed()).isEqualTo(1);
    assertThat(embedder.lastMetrics().embedded()).isEqualTo(8);
  }

  @Test
  void aProviderThatKeepsFailingFailsTheJobRatherThanDropRows() {
    JembedEmbedder embedder = hosted().setMaxAttempts(3);
    Dataset<Row> out = embedder.transform(JembedEmbedderTest.texts(texts(10), 1));
    api.failWith(503);
    assertThatThrownBy(out::collectAsList)
        .hasStackTraceContaining("10 of 10 rows of a batch are not embedded after 3 attempts")
        .hasStackTraceContaining("HTTP 503")
        .hasStackTraceContaining("rather than drop these rows");
    assertThat(api.failed()).isEqualTo(3);
  }

  @Test
  void aRefusedKeyFailsTheJobAtOnce() {
    JembedEmbedder embedder = hosted();
    Dataset<Row> out = embedder.transform(JembedEmbedderTest.texts(texts(10), 1));
    api.failWith(401);
    assertThatThrownBy(out::collectAsList).hasStackTraceContaining("HTTP 401");
    assertThat(api.failed()).isEqualTo(1);
  }

  @Test
  void aBadOptionFailsAtTransformBeforeAnyRow() {
    JembedEmbedder embedder = hosted().setPromptName("query");
    assertThatThrownBy(() -> embedder.transform(JembedEmbedderTest.texts(texts(3), 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no named prompts");
    assertThat(api.served()).isEmpty();
  }
}

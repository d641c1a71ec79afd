package io.jembed.hosted;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

import io.jembed.Embeddings;
import io.jembed.EncodeOptions;
import io.jembed.hosted.FakeEmbeddingServer.Reply;
import io.jembed.hosted.ProviderCase.RecordingSleeper;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The behaviour every provider shares, each against a fake of its own API on 127.0.0.1. */
class ProviderContractTest {

  private static List<String> texts(int n) {
    return IntStream.range(0, n).mapToObj(i -> "sentence number " + i + " about cats").toList();
  }

  private static void assertVectorsMatch(ProviderCase c, List<String> texts, float[][] vectors) {
    assertThat(vectors.length).isEqualTo(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      float[] expected = FakeEmbeddingServer.vectorFor(texts.get(i), c.dimension());
      assertThat(vectors[i]).as("vector %d", i).containsExactly(expected, within(1e-5f));
    }
  }

  @ParameterizedTest
  @EnumSource(ProviderCase.class)
  void encodesInInputOrderAndReportsUsage(ProviderCase c) {
    try (var server = c.server();
        var model = c.load(server, new RecordingSleeper(), Map.of())) {
      List<String> texts = texts(7);
      Embeddings embeddings = model.encode(texts, EncodeOptions.defaults());

      assertVectorsMatch(c, texts, embeddings.vectors());
      assertThat(embeddings.totalTokens())
          .isEqualTo(texts.stream().mapToLong(FakeEmbeddingServer::tokens).sum());
      assertThat(embeddings.model().provider()).isEqualTo(c.scheme);
      assertThat(embeddings.model().id()).isEqualTo(c.model);
      assertThat(embeddings.dimension()).isEqualTo(c.dimension());
      var request = server.received().getFirst();
      assertThat(request.path()).isEqualTo(c.dialect.path);
      assertThat(request.headers()).containsEntry("authorization", "Bearer " + ProviderCase.KEY);
      assertThat(request.body().path("model").asText()).isEqualTo(c.model);
      assertThat(request.inputs()).isEqualTo(texts);
    }
  }

  @ParameterizedTest
  @EnumSource(ProviderCase.class)
  void splitsLargeInputsAtTheProviderLimitAndReassemblesInOrder(ProviderCase c) {
    try (var server = c.server();
        var model = c.load(server, new RecordingSleeper(), Map.of())) {
      List<String> texts = texts(2 * c.maxInputsPerRequest + 3);
      float[][] vectors = model.encode(texts);

      assertVectorsMatch(c, texts, vectors);
      var requests = server.received();
      assertThat(requests).hasSize(3);
      assertThat(requests)
          .allSatisfy(
              r -> assertThat(r.inputs().size()).isLessThanOrEqualTo(c.maxInputsPerRequest));
      assertThat(requests.stream().mapToInt(r -> r.inputs().size()).sum()).isEqualTo(texts.size());
    }
  }

  @ParameterizedTest
  @EnumSource(ProviderCase.class)
  void clientErrorsAreNotRetriedAndNameProviderStatusAndMessage(ProviderCase c) {
    for (int status : new int[] {400, 401, 403}) {
      var sleeper = new RecordingSleeper();
      try (var server = c.server();
          var model = c.load(server, sleeper, Map.of())) {
        String providerText = "bad thing " + status + " with key " + ProviderCase.KEY;
        server.enqueue(Reply.status(status, server.error(status, providerText), Map.of()));

        var e =
            catchThrowableOfType(
                HostedEmbeddingException.class,
                () -> model.encode(texts(3), EncodeOptions.defaults()));

        assertThat(e.statusCode()).isEqualTo(status);
        assertThat(e.provider()).isEqualTo(c.scheme);
        assertThat(e.getMessage())
            .contains(c.scheme + ":" + c.model)
            .contains("HTTP " + status)
            .contains("bad thing " + status)
            .contains("0 of 3 inputs were embedded")
            .doesNotContain(ProviderCase.KEY);
        assertThat(e.providerMessage()).doesNotContain(ProviderCase.KEY);
        assertThat(e.toString()).doesNotContain(ProviderCase.KEY);
        assertThat(e.failedIndexes()).containsExactly(0, 1, 2);
        assertThat(server.received()).hasSize(1);
        assertThat(sleeper.sleeps).isEmpty();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(ProviderCase.class)
  void retriesRateLimitsWithExponentialBackoffAndJitter(ProviderCase c) {
    var sleeper = new RecordingSleeper();
    try (var server = c.server();
        var model = c.load(server, sleeper, Map.of())) {
      server.enqueue(
          Reply.status(429, server.error(429, "slow down"), Map.of()),
          Reply.status(429, server.error(429, "slow down"), Map.of()));
      List<String> texts = texts(3);

      assertVectorsMatch(c, texts, model.encode(texts));

      assertThat(server.received()).hasSize(3);
      assertThat(sleeper.sleeps).hasSize(2);
      // initial backoff 100 ms, doubled, minus up to 25 % jitter
      assertThat(sleeper.sleeps.get(0).toMillis()).isBetween(75L, 100L);
      assertThat(sleeper.sleeps.get(1).toMillis()).isBetween(150L, 200L);
    }
  }

  @ParameterizedTest
  @EnumSource(ProviderCase.class)
  void honoursRetryAfterAndRetryAfterMs(ProviderCase c) {
    var sleeper = new RecordingSleeper();
    try (var server = c.server();
        var model = c.load(server, sleeper, Map.of())) {
      server.enqueue(
          Reply.status(429, server.error(429, "wait"), Map.of("Retry-After", "2")),
          Reply.status(
              503, server.error(503, "busy"), Map.of("retry-after-ms", "250", "Retry-After", "9")));
      List<String> texts = texts(2);

      assertVectorsMatch(c, texts, model.encode(texts));

      assertThat(sleeper.sleeps).containsExactly(Duration.ofSeconds(2), Duration.ofMillis(250));
    }
  }

  @ParameterizedTest
  @EnumSource(ProviderCase.class)
  void retriesAServerErrorThenSucceeds(ProviderCase c) {
    try (var server = c.server();
        var model = c.load(server, new RecordingSleeper(), Map.of())) {
      server.enqueue(Reply.status(500, server.error(500, "internal error"), Map.of()));
      List<String> texts = texts(4);

      assertVectorsMatch(c, texts, model.encode(texts));
      assertThat(server.received()).hasSize(2);
    }
  }

  @ParameterizedTest
  @EnumSource(ProviderCase.class)
  void givesUpAfterMaxRetriesWithTheLastStatus(ProviderCase c) {
    var sleeper = new RecordingSleeper();
    try (var server = c.server();
        var model = c.load(server, sleeper, Map.of(HostedSettings.MAX_RETRIES, "2"))) {
      for (int i = 0; i < 3; i++) {
        server.enqueue(Reply.status(503, "<html>Service Unavailable</html>", Map.of()));
      }

      var e = catchThrowableOfType(HostedEmbeddingException.class, () -> model.encode(texts(2)));

      assertThat(e.statusCode()).isEqualTo(503);
      assertThat(e.getMessage())
          .contains("HTTP 503")
          .contains("Service Unavailable")
          .contains("3 attempts");
      assertThat(server.received()).hasSize(3);
      assertThat(sleeper.sleeps).hasSize(2);
    }
  }

  @ParameterizedTest
  @EnumSource(ProviderCase.class)
  void malformedJsonIsAClearFailure(ProviderCase c) {
    try (var server = c.server();
        var model = c.load(server, new RecordingSleeper(), Map.of())) {
      server.enqueue(Reply.malformed());

      assertThatThrownBy(() -> model.encode(texts(2)))
          .isInstanceOf(HostedEmbeddingException.class)
          .hasMessageContaining("not valid JSON")
          .hasMessageContaining(c.scheme);
      assertThat(server.received()).hasSize(1);
    }
  }

  @ParameterizedTest
  @EnumSource(ProviderCase.class)
  void aSlowResponsePastTheTimeoutIsRetriedThenReported(ProviderCase c) {
    try (var server = c.server();
        var model =
            c.load(
                server,
                new RecordingSleeper(),
                Map.of(HostedSettings.MAX_RETRIES, "1"),
                Duration.ofMillis(300))) {
      server.enqueue(Reply.slow(3_000), Reply.slow(3_000));

      var e = catchThrowableOfType(HostedEmbeddingException.class, () -> model.encode(texts(2)));

      assertThat(e.statusCode()).isZero();
      assertThat(e.getMessage()).contains("no response").contains("PT0.3S");
      assertThat(server.received()).hasSize(2);
    }
  }

  @ParameterizedTest
  @EnumSource(ProviderCase.class)
  void aResponseWithTheWrongNumberOfVectorsIsRejected(ProviderCase c) {
    try (var server = c.server();
        var model = c.load(server, new RecordingSleeper(), Map.of())) {
      server.enqueue(Reply.oneVectorShort());

      assertThatThrownBy(() -> model.encode(texts(3)))
          .isInstanceOf(HostedEmbeddingException.class)
          .hasMessageContaining("2 vectors for 3 inputs");
    }
  }

  @ParameterizedTest
  @EnumSource(ProviderCase.class)
  void aFailurePartWayReportsWhichInputsSucceeded(ProviderCase c) {
    try (var server = c.server();
        var model =
            c.load(
                server,
                new RecordingSleeper(),
                Map.of(
                    HostedSettings.MAX_CONCURRENCY,
                    "1",
                    HostedSettings.MAX_INPUTS_PER_REQUEST,
                    "2"))) {
      server.enqueue(
          Reply.normal(), Reply.status(400, server.error(400, "input 2 is bad"), Map.of()));
      List<String> texts = texts(6);

      var e = catchThrowableOfType(HostedEmbeddingException.class, () -> model.encode(texts));

      assertThat(e.succeededIndexes()).containsExactly(0, 1);
      assertThat(e.failedIndexes()).containsExactly(2, 3, 4, 5);
      assertThat(e.getMessage()).contains("2 of 6 inputs were embedded").contains("indexes 0-1");
      float[][] partial = e.partialVectors();
      assertThat(partial[0])
          .containsExactly(
              FakeEmbeddingServer.vectorFor(texts.get(0), c.dimension()), within(1e-5f));
      assertThat(partial[2]).isNull();
      assertThat(e.totalTokens()).isEqualTo(10); // two inputs of five words
      assertThat(server.received()).hasSize(2); // nothing starts after the failure
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"openai", "voyage", "cohere", "ollama", "openai-compatible"})
  void boundedConcurrency(String scheme) {
    ProviderCase c =
        java.util.Arrays.stream(ProviderCase.values())
            .filter(p -> p.scheme.equals(scheme))
            .findFirst()
            .orElseThrow();
    try (var server = c.server();
        var model =
            c.load(
                server,
                new RecordingSleeper(),
                Map.of(
                    HostedSettings.MAX_CONCURRENCY,
                    "2",
                    HostedSettings.MAX_INPUTS_PER_REQUEST,
                    "1"))) {
      server.delayEveryResponse(40);
      List<String> texts = texts(8);

      assertVectorsMatch(c, texts, model.encode(texts));
      assertThat(server.received()).hasSize(8);
      assertThat(server.maxInFlight()).isEqualTo(2);
    }
  }
}

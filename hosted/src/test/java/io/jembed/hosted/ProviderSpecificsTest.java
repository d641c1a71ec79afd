package io.jembed.hosted;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

import io.jembed.EmbeddingModel;
import io.jembed.Embeddings;
import io.jembed.EncodeOptions;
import io.jembed.JembedException;
import io.jembed.LoadOptions;
import io.jembed.Precision;
import io.jembed.Vectors;
import io.jembed.hosted.FakeEmbeddingServer.Dialect;
import io.jembed.hosted.FakeEmbeddingServer.Reply;
import io.jembed.hosted.ProviderCase.RecordingSleeper;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What differs between providers: wire details, environment, identity, validation. */
class ProviderSpecificsTest {
  private static final String KEY = ProviderCase.KEY;

  private static HostedProvider provider(Map<String, String> env) {
    return new HostedProvider(env::get, new RecordingSleeper());
  }

  private static LoadOptions.Builder options(FakeEmbeddingServer server) {
    return LoadOptions.builder().apiKey(KEY).baseUrl(server.baseUrl());
  }

  @Test
  void loadsThroughTheServiceLoaderUnderEveryScheme() {
    try (var server = new FakeEmbeddingServer(Dialect.OPENAI, 1536, KEY);
        EmbeddingModel model =
            EmbeddingModel.load("openai:text-embedding-3-small", options(server).build())) {
      assertThat(model).isInstanceOf(HostedEmbeddingModel.class);
      assertThat(model.encode("hello world")).hasSize(1536);
    }
    assertThat(new HostedProvider().schemes())
        .containsExactlyInAnyOrder("openai", "voyage", "cohere", "ollama", "openai-compatible");
  }

  @Test
  void openAiAsksForBase64AndDecodesLittleEndianFloats() {
    try (var server = new FakeEmbeddingServer(Dialect.OPENAI, 1536, KEY);
        var base64 =
            provider(Map.of()).load("openai:text-embedding-3-small", options(server).build());
        var floats =
            provider(Map.of())
                .load(
                    "openai:text-embedding-3-small",
                    options(server).property(HostedSettings.ENCODING_FORMAT, "float").build())) {
      float[] a = base64.encode("the same text");
      float[] b = floats.encode("the same text");

      assertThat(server.received().get(0).body().get("encoding_format").asText())
          .isEqualTo("base64");
      assertThat(server.received().get(1).body().get("encoding_format").asText())
          .isEqualTo("float");
      assertThat(a).containsExactly(FakeEmbeddingServer.vectorFor("the same text", 1536));
      assertThat(b).containsExactly(a, within(1e-6f));
      assertThat(server.received().get(0).body().has("dimensions")).isFalse();
    }
  }

  @Test
  void requestedDimensionsAreSentAndMakeADifferentIdentity() {
    try (var server = new FakeEmbeddingServer(Dialect.OPENAI, 3072, KEY);
        var small =
            provider(Map.of())
                .load("openai:text-embedding-3-large", options(server).dimensions(256).build());
        var full =
            provider(Map.of()).load("openai:text-embedding-3-large", options(server).build())) {
      assertThat(small.encode("x")).hasSize(256);
      assertThat(server.received().getFirst().body().get("dimensions").asInt()).isEqualTo(256);
      assertThat(small.info().dimension()).isEqualTo(256);
      assertThat(full.info().dimension()).isEqualTo(3072);
      assertThat(small.info().identity())
          .isNotEqualTo(full.info().identity())
          .startsWith("openai:text-embedding-3-large");
      assertThat(full.info().normalized()).isTrue();
      assertThat(full.info().maxSeqLength()).isEqualTo(8191);
    }
  }

  @Test
  void unsupportedDimensionsAreRefusedAtLoad() {
    var p = provider(Map.of("OPENAI_API_KEY", KEY, "VOYAGE_API_KEY", KEY));
    assertThatThrownBy(
            () ->
                p.load(
                    "openai:text-embedding-ada-002", LoadOptions.builder().dimensions(256).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not support requested dimensions");
    assertThatThrownBy(
            () ->
                p.load(
                    "openai:text-embedding-3-small",
                    LoadOptions.builder().dimensions(2000).build()))
        .hasMessageContaining("1 to 1536");
    assertThatThrownBy(
            () -> p.load("voyage:voyage-3.5", LoadOptions.builder().dimensions(300).build()))
        .hasMessageContaining("[256, 512, 1024, 2048]");
  }

  @Test
  void keysComeFromTheEnvironmentAndAMissingKeyNamesTheVariable() {
    try (var server = new FakeEmbeddingServer(Dialect.OPENAI, 1536, KEY)) {
      var fromEnv =
          provider(Map.of("OPENAI_API_KEY", KEY))
              .load(
                  "openai:text-embedding-3-small",
                  LoadOptions.builder().baseUrl(server.baseUrl()).build());
      assertThat(fromEnv.encode("hi")).hasSize(1536);
    }
    assertThatThrownBy(() -> provider(Map.of()).load("openai:text-embedding-3-small", null))
        .isInstanceOf(JembedException.class)
        .hasMessageContaining("OPENAI_API_KEY")
        .hasMessageContaining("--api-key");
    assertThatThrownBy(() -> provider(Map.of()).load("voyage:voyage-3.5", null))
        .hasMessageContaining("VOYAGE_API_KEY");
    assertThatThrownBy(() -> provider(Map.of()).load("cohere:embed-v4.0", null))
        .hasMessageContaining("CO_API_KEY");
  }

  @Test
  void openAiBaseUrlFromTheEnvironmentIsUsedAsTheSdksDo() {
    try (var server = new FakeEmbeddingServer(Dialect.OPENAI, 1536, KEY)) {
      var model =
          provider(Map.of("OPENAI_API_KEY", KEY, "OPENAI_BASE_URL", server.baseUrl() + "/v1/"))
              .load("openai:text-embedding-3-small", null);
      assertThat(model.endpoint()).isEqualTo(server.baseUrl() + "/v1/embeddings");
      assertThat(model.encode("hi")).hasSize(1536);
      assertThat(model.info().revision()).isEqualTo("127.0.0.1:" + server.baseUrl().split(":")[2]);
    }
    var official =
        provider(Map.of("OPENAI_API_KEY", KEY)).load("openai:text-embedding-3-small", null);
    assertThat(official.endpoint()).isEqualTo("https://api.openai.com/v1/embeddings");
    assertThat(official.info().revision()).isEmpty();
    assertThat(official.info().identity())
        .isEqualTo("openai:text-embedding-3-small;dim=1536;normalized=true;similarity=cosine");
  }

  @Test
  void aRejectedKeyEchoedByTheServerNeverReachesTheMessage() {
    String wrong = "sk-proj-WRONGwrongWRONG1234";
    try (var server = new FakeEmbeddingServer(Dialect.OPENAI, 1536, KEY);
        var model =
            provider(Map.of())
                .load(
                    "openai:text-embedding-3-small",
                    LoadOptions.builder().apiKey(wrong).baseUrl(server.baseUrl()).build())) {
      var e = catchThrowableOfType(HostedEmbeddingException.class, () -> model.encode("hi"));
      assertThat(e.statusCode()).isEqualTo(401);
      assertThat(e.getMessage())
          .contains("OpenAI rejected the API key (check OPENAI_API_KEY or --api-key)")
          .contains("Incorrect API key provided")
          .doesNotContain(wrong)
          .doesNotContain("WRONGwrong");
      assertThat(model.toString()).doesNotContain(wrong);
    }
  }

  @Test
  void openAiRefusesEmptyStringsBeforeSendingAnything() {
    try (var server = new FakeEmbeddingServer(Dialect.OPENAI, 1536, KEY);
        var model =
            provider(Map.of()).load("openai:text-embedding-3-small", options(server).build())) {
      assertThatThrownBy(() -> model.encode(List.of("fine", "")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("index 1 is empty");
      assertThat(server.received()).isEmpty();
    }
  }

  @Test
  void openAiRequestsStayUnderTheTokenCap() {
    // 10 inputs of 40,000 words: 400,000 tokens do not fit one 300,000-token request
    String longText = String.join(" ", Collections.nCopies(40_000, "word"));
    List<String> texts = Collections.nCopies(10, longText);
    try (var server = new FakeEmbeddingServer(Dialect.OPENAI, 1536, KEY);
        var model =
            provider(Map.of())
                .load("openai:text-embedding-3-small", options(server).dimensions(8).build())) {
      Embeddings e = model.encode(texts, EncodeOptions.defaults());
      assertThat(e.size()).isEqualTo(10);
      assertThat(e.totalTokens()).isEqualTo(400_000);
      assertThat(server.received()).hasSizeGreaterThan(1);
      assertThat(server.received())
          .allSatisfy(
              r ->
                  assertThat(r.inputs().stream().mapToLong(FakeEmbeddingServer::tokens).sum())
                      .isLessThanOrEqualTo(300_000));
    }
  }

  @Test
  void aRetryAfterLongerThanTheLimitFailsAtOnce() {
    var sleeper = new RecordingSleeper();
    try (var server = new FakeEmbeddingServer(Dialect.OPENAI, 1536, KEY);
        var model =
            new HostedProvider(Map.<String, String>of()::get, sleeper)
                .load("openai:text-embedding-3-small", options(server).build())) {
      server.enqueue(
          Reply.status(429, server.error(429, "quota exceeded"), Map.of("Retry-After", "3600")));
      assertThatThrownBy(() -> model.encode("hi"))
          .isInstanceOf(HostedEmbeddingException.class)
          .hasMessageContaining("retry after 3600 s")
          .hasMessageContaining("quota exceeded");
      assertThat(sleeper.sleeps).isEmpty();
    }
  }

  @Test
  void voyageMapsInputTypesAndOutputDimension() {
    try (var server = new FakeEmbeddingServer(Dialect.VOYAGE, 1024, KEY);
        var model =
            provider(Map.of()).load("voyage:voyage-3.5", options(server).dimensions(512).build())) {
      model.encodeQuery("what is a cat?");
      model.encodeDocument("A cat is a small mammal.");
      model.encode("plain");
      var bodies = server.received().stream().map(FakeEmbeddingServer.Received::body).toList();
      assertThat(bodies.get(0).get("input_type").asText()).isEqualTo("query");
      assertThat(bodies.get(1).get("input_type").asText()).isEqualTo("document");
      assertThat(bodies.get(2).has("input_type")).isFalse();
      assertThat(bodies)
          .allSatisfy(b -> assertThat(b.get("output_dimension").asInt()).isEqualTo(512));
      assertThat(bodies).allSatisfy(b -> assertThat(b.get("truncation").asBoolean()).isTrue());
      assertThat(model.info().identity()).contains("voyage:voyage-3.5").contains("dim=512");
    }
  }

  @Test
  void cohereMapsInputTypesAndAsksForFloats() {
    try (var server = new FakeEmbeddingServer(Dialect.COHERE, 1536, KEY);
        var model = provider(Map.of()).load("cohere:embed-v4.0", options(server).build());
        var clustering =
            provider(Map.of())
                .load(
                    "cohere:embed-v4.0",
                    options(server).property(HostedSettings.INPUT_TYPE, "clustering").build())) {
      model.encodeQuery("q");
      model.encodeDocument("d");
      model.encode("n");
      clustering.encode("c");
      var bodies = server.received().stream().map(FakeEmbeddingServer.Received::body).toList();
      assertThat(bodies.stream().map(b -> b.get("input_type").asText()))
          .containsExactly("search_query", "search_document", "search_document", "clustering");
      assertThat(bodies.get(0).get("embedding_types").get(0).asText()).isEqualTo("float");
      assertThat(bodies.get(0).get("texts").get(0).asText()).isEqualTo("q");
      assertThat(model.info().normalized()).isFalse();
    }
  }

  @Test
  void ollamaLearnsAnUnknownDimensionFromOneProbeAndSendsNoKey() {
    try (var server = new FakeEmbeddingServer(Dialect.OLLAMA, 16, null)) {
      String port = server.baseUrl().split(":")[2];
      var model =
          provider(Map.of("OLLAMA_HOST", "0.0.0.0:" + port)).load("ollama:nomic-embed-text", null);
      assertThat(model.endpoint()).isEqualTo("http://127.0.0.1:" + port + "/api/embed");

      assertThat(model.dimension()).isEqualTo(16);
      assertThat(server.received()).hasSize(1);
      assertThat(server.received().getFirst().headers()).doesNotContainKey("authorization");
      assertThat(server.received().getFirst().inputs()).hasSize(1);

      model.encode(List.of("a", "b"));
      model.dimension();
      assertThat(server.received()).hasSize(2);
      model.close();
    }
  }

  @Test
  void openAiCompatibleNeedsABaseUrlAndNeverBorrowsTheOpenAiKey() {
    var env = Map.of("OPENAI_API_KEY", KEY);
    assertThatThrownBy(() -> provider(env).load("openai-compatible:my-model", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs a base URL");
    try (var server = new FakeEmbeddingServer(Dialect.OPENAI, 12, null);
        var model =
            provider(env)
                .load(
                    "openai-compatible:my-model",
                    LoadOptions.builder().baseUrl(server.baseUrl() + "/v1").build())) {
      assertThat(model.encode("x")).hasSize(12);
      var request = server.received().getFirst();
      assertThat(request.headers()).doesNotContainKey("authorization");
      assertThat(request.body().get("encoding_format").asText()).isEqualTo("float");
      assertThat(model.info().revision()).startsWith("127.0.0.1:");
      assertThat(model.info().identity()).startsWith("openai-compatible:my-model@127.0.0.1:");
    }
  }

  @Test
  void clientSideTruncationNormalizationAndQuantization() {
    try (var server = new FakeEmbeddingServer(Dialect.OPENAI, 1536, KEY);
        var model =
            provider(Map.of())
                .load("openai:text-embedding-3-small", options(server).dimensions(64).build())) {
      Embeddings truncated =
          model.encode(List.of("a b", "c d"), EncodeOptions.builder().truncateDim(16).build());
      assertThat(truncated.dimension()).isEqualTo(16);
      // as sentence-transformers: a truncated vector is renormalized only when asked
      assertThat(Vectors.norm(truncated.get(0))).isLessThan(0.99);
      assertThat(truncated.model().identity()).contains("dim=16").contains("normalized=false");
      Embeddings renormalized =
          model.encode(
              List.of("a b", "c d"),
              EncodeOptions.builder().truncateDim(16).normalize(true).build());
      assertThat(Vectors.norm(renormalized.get(0))).isCloseTo(1.0, within(1e-5));
      assertThat(renormalized.get(0)[0] / renormalized.get(0)[1])
          .isCloseTo(truncated.get(0)[0] / truncated.get(0)[1], within(1e-4f));

      Embeddings binary =
          model.encode(
              List.of("a b", "c d"), EncodeOptions.builder().precision(Precision.UBINARY).build());
      assertThat(binary.quantized()[0]).hasSize(8);
      float[] v = binary.get(0);
      int firstByte = Byte.toUnsignedInt(binary.quantized()[0][0]);
      for (int bit = 0; bit < 8; bit++) {
        assertThat((firstByte >> (7 - bit)) & 1).isEqualTo(v[bit] > 0 ? 1 : 0);
      }
      assertThatThrownBy(
              () -> model.encode(List.of("x"), EncodeOptions.builder().promptName("query").build()))
          .hasMessageContaining("no named prompts");
      model.encode(List.of("x"), EncodeOptions.builder().prompt("query: ").build());
      assertThat(server.received().getLast().inputs()).containsExactly("query: x");
    }
  }

  @Test
  void badSettingsAreClearErrors() {
    var p = provider(Map.of("OPENAI_API_KEY", KEY));
    assertThatThrownBy(
            () ->
                p.load(
                    "openai:text-embedding-3-small",
                    LoadOptions.builder().property("max-concurency", "2").build()))
        .hasMessageContaining("unknown property 'max-concurency'")
        .hasMessageContaining("max-concurrency");
    assertThatThrownBy(
            () ->
                p.load(
                    "openai:text-embedding-3-small",
                    LoadOptions.builder().property(HostedSettings.MAX_RETRIES, "many").build()))
        .hasMessageContaining("max-retries must be a whole number");
    assertThatThrownBy(
            () ->
                p.load(
                    "openai:text-embedding-3-small",
                    LoadOptions.builder().baseUrl("ftp://example.org").build()))
        .hasMessageContaining("not an http(s) URL");
    assertThatThrownBy(() -> p.load("openai:", null)).hasMessageContaining("model name missing");
  }
}

package io.jembed.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jembed.EmbeddingModel;
import io.jembed.Embeddings;
import io.jembed.EncodeOptions;
import io.jembed.LoadOptions;
import io.jembed.SimilarityFunction;
import io.jembed.index.Document;
import io.jembed.index.IndexOptions;
import io.jembed.index.lucene.LuceneVectorStore;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every endpoint and error code against a real server on 127.0.0.1 with the real default model. */
class EmbeddingServerTest {
  static final String KEY = "test-secret-key";
  static final List<String> SENTENCES =
      List.of(
          "A man is playing a guitar.",
          "A woman is slicing an onion.",
          "The new movie is awesome",
          "The cat sits outside");

  @TempDir static Path indexDir;
  static EmbeddingModel model;
  static LuceneVectorStore store;
  static EmbeddingServer server;
  static Http http;

  @BeforeAll
  static void start() {
    model = EmbeddingModel.load("all-MiniLM-L6-v2");
    store = LuceneVectorStore.create(indexDir.resolve("docs"), model, IndexOptions.defaults());
    store.upsert(
        List.of(
            Document.builder("guitar")
                .text("A man is playing a guitar.")
                .metadata("lang", "en")
                .build(),
            Document.builder("onion")
                .text("A woman is slicing an onion.")
                .metadata("lang", "en")
                .build(),
            Document.builder("gato")
                .text("El gato se sienta afuera.")
                .metadata("lang", "es")
                .build()));
    store.commit();
    server =
        EmbeddingServer.builder()
            .model("all-MiniLM-L6-v2", model)
            .index("docs", store)
            .options(ServerOptions.builder().port(0).apiKey(KEY).maxClientBatchSize(64).build())
            .start();
    http = new Http(server.uri(), KEY);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (store != null) {
      store.close();
    }
    if (model != null) {
      model.close();
    }
  }

  static float[] floats(JsonNode array) {
    float[] v = new float[array.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = array.get(i).floatValue();
    }
    return v;
  }

  static void assertSameVector(float[] actual, float[] expected) {
    assertThat(actual).hasSize(expected.length);
    assertThat(SimilarityFunction.COSINE.score(actual, expected)).isGreaterThanOrEqualTo(0.99999f);
  }

  static String json(Object value) {
    try {
      return Http.JSON.writeValueAsString(value);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void bindsToLoopbackByDefault() {
    assertThat(ServerOptions.defaults().host()).isEqualTo("127.0.0.1");
    assertThat(server.uri().getHost()).isEqualTo("127.0.0.1");
  }

  @Test
  void openAiEmbeddingsMatchInProcessEncodingWithRealTokenCounts() {
    Http.Reply r =
        http.post(
            "/v1/embeddings",
            json(java.util.Map.of("input", SENTENCES, "model", "all-MiniLM-L6-v2")));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    JsonNode body = r.json();
    assertThat(body.get("object").asText()).isEqualTo("list");
    assertThat(body.get("model").asText()).isEqualTo("all-MiniLM-L6-v2");
    Embeddings expected = model.encode(SENTENCES, EncodeOptions.defaults());
    JsonNode data = body.get("data");
    assertThat(data).hasSize(SENTENCES.size());
    for (int i = 0; i < SENTENCES.size(); i++) {
      assertThat(data.get(i).get("object").asText()).isEqualTo("embedding");
      assertThat(data.get(i).get("index").asInt()).isEqualTo(i);
      assertSameVector(floats(data.get(i).get("embedding")), expected.get(i));
    }
    long tokens = 0;
    for (int t : expected.tokenCounts()) {
      tokens += t;
    }
    assertThat(body.at("/usage/prompt_tokens").asLong()).isEqualTo(tokens);
    assertThat(body.at("/usage/total_tokens").asLong()).isEqualTo(tokens);
    assertThat(body.get("truncated_inputs").asInt()).isZero();
  }

  @Test
  void aSingleStringInputAndTheDefaultModel() {
    Http.Reply r = http.post("/v1/embeddings", "{\"input\": \"The cat sits outside\"}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertSameVector(
        floats(r.json().at("/data/0/embedding")), model.encode("The cat sits outside"));
  }

  @Test
  void base64IsLittleEndianFloat32() {
    Http.Reply r =
        http.post(
            "/v1/embeddings",
            "{\"input\": [\"The cat sits outside\"], \"encoding_format\": \"base64\"}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    byte[] bytes = Base64.getDecoder().decode(r.json().at("/data/0/embedding").asText());
    float[] v = new float[bytes.length / 4];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
    assertThat(v).containsExactly(model.encode("The cat sits outside"));
  }

  @Test
  void dimensionsShortenAsTheEngineDoes() {
    Http.Reply r =
        http.post("/v1/embeddings", "{\"input\": [\"The cat sits outside\"], \"dimensions\": 128}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    float[] expected =
        model
            .encode(
                List.of("The cat sits outside"), EncodeOptions.builder().truncateDim(128).build())
            .get(0);
    assertSameVector(floats(r.json().at("/data/0/embedding")), expected);
  }

  private static double norm(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += x * x;
    }
    return Math.sqrt(sum);
  }

  @Test
  void shortenedVectorsAreUnitLengthAsOpenAiAndTeiReturnThem() {
    Http.Reply openAi =
        http.post("/v1/embeddings", "{\"input\": \"The cat sits outside\", \"dimensions\": 128}");
    assertThat(openAi.status()).as(openAi.body()).isEqualTo(200);
    float[] shortened = floats(openAi.json().at("/data/0/embedding"));
    assertThat(shortened).hasSize(128);
    assertThat(norm(shortened)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));

    Http.Reply tei =
        http.post("/embed", "{\"inputs\": \"The cat sits outside\", \"dimensions\": 64}");
    assertThat(tei.status()).as(tei.body()).isEqualTo(200);
    assertThat(norm(floats(tei.json().get(0))))
        .isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
    Http.Reply raw =
        http.post(
            "/embed",
            "{\"inputs\": \"The cat sits outside\", \"dimensions\": 64, \"normalize\": false}");
    // normalize=false: the raw pooled vector, shortened (as TEI does)
    assertThat(Math.abs(norm(floats(raw.json().get(0))) - 1)).isGreaterThan(0.01);
  }

  @Test
  void aHugeInputIsEncodedAsTheWholeWouldBe() {
    // 400 KB of words: the server counts and encodes only the head the model keeps
    String huge = "The cat sits outside while the dog sleeps. ".repeat(10_000);
    Http.Reply r = http.post("/v1/embeddings", json(java.util.Map.of("input", huge)));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().get("truncated_inputs").asInt()).isEqualTo(1);
    assertThat(r.json().at("/usage/total_tokens").asLong()).isEqualTo(model.maxSeqLength());
    assertSameVector(floats(r.json().at("/data/0/embedding")), model.encode(huge));
  }

  @Test
  void jembedsOwnOpenAiCompatibleProviderWorksUnchanged() {
    try (EmbeddingModel remote =
        EmbeddingModel.load(
            "openai-compatible:all-MiniLM-L6-v2",
            LoadOptions.builder().baseUrl(server.uri() + "/v1").apiKey(KEY).build())) {
      float[][] got = remote.encode(SENTENCES);
      float[][] expected = model.encode(SENTENCES);
      for (int i = 0; i < got.length; i++) {
        assertSameVector(got[i], expected[i]);
      }
      assertThat(remote.dimension()).isEqualTo(384);
    }
  }

  @Test
  void severalModelsAreChosenByTheModelField() {
    try (EmbeddingServer two =
        EmbeddingServer.builder()
            .model("minilm", model)
            .model("fake", new FakeModel())
            .defaultModel("fake")
            .options(ServerOptions.builder().port(0).build())
            .start()) {
      Http client = new Http(two.uri(), null);
      Http.Reply byDefault = client.post("/v1/embeddings", "{\"input\": \"hello\"}");
      assertThat(byDefault.json().get("model").asText()).isEqualTo("fake");
      assertThat(floats(byDefault.json().at("/data/0/embedding")))
          .containsExactly(FakeModel.vectorOf("hello"));
      Http.Reply byName =
          client.post("/v1/embeddings", "{\"input\": \"hello\", \"model\": \"minilm\"}");
      assertSameVector(floats(byName.json().at("/data/0/embedding")), model.encode("hello"));
      Http.Reply byId =
          client.post(
              "/embed", json(java.util.Map.of("inputs", "hello", "model", model.info().id())));
      assertThat(byId.status()).as(byId.body()).isEqualTo(200);
      assertSameVector(floats(byId.json().get(0)), model.encode("hello"));
      JsonNode info = client.get("/info").json();
      assertThat(info.get("default_model").asText()).isEqualTo("fake");
      assertThat(info.get("models")).hasSize(2);
      assertThat(info.at("/models/1/default").asBoolean()).isTrue();
      assertThat(info.at("/models/1/dimension").asInt()).isEqualTo(4);
    }
  }

  @Test
  void teiEmbedReturnsABareArrayAndHonoursNormalize() {
    Http.Reply r = http.post("/embed", json(java.util.Map.of("inputs", SENTENCES)));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    float[][] expected = model.encode(SENTENCES);
    for (int i = 0; i < SENTENCES.size(); i++) {
      assertSameVector(floats(r.json().get(i)), expected[i]);
    }
    Http.Reply raw =
        http.post("/embed", "{\"inputs\": \"The cat sits outside\", \"normalize\": false}");
    assertThat(raw.status()).as(raw.body()).isEqualTo(200);
    float[] unnormalized =
        model
            .encode(
                List.of("The cat sits outside"), EncodeOptions.builder().normalize(false).build())
            .get(0);
    assertThat(floats(raw.json().get(0))).containsExactly(unnormalized);
  }

  @Test
  void longInputsAreTruncatedByDefaultAndCountedOrRejectedWhenAsked() {
    String longText = "word ".repeat(600);
    Http.Reply r =
        http.post("/v1/embeddings", json(java.util.Map.of("input", List.of(longText, "short"))));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().get("truncated_inputs").asInt()).isEqualTo(1);
    assertThat(r.header("X-Truncated-Inputs")).isEqualTo("1");
    assertThat(r.json().at("/usage/total_tokens").asLong())
        .isEqualTo(model.maxSeqLength() + model.countTokens("short"));

    Http.Reply rejected =
        http.post(
            "/embed",
            json(java.util.Map.of("inputs", List.of("short", longText), "truncate", false)));
    assertThat(rejected.status()).isEqualTo(422);
    assertThat(rejected.json().at("/error/message").asText())
        .contains("input 1")
        .contains("tokens");
  }

  @Test
  void similarityScoresOneSentenceAgainstOthers() {
    Http.Reply r =
        http.post(
            "/similarity",
            json(
                java.util.Map.of(
                    "inputs",
                    java.util.Map.of(
                        "source_sentence",
                        SENTENCES.get(0),
                        "sentences",
                        SENTENCES.subList(1, 4)))));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    float[][] v = model.encode(SENTENCES);
    for (int i = 1; i < 4; i++) {
      assertThat(r.json().get(i - 1).floatValue())
          .isCloseTo(model.similarity(v[0], v[i]), org.assertj.core.data.Offset.offset(1e-5f));
    }
  }

  @Test
  void searchFindsTheDocumentAndAppliesFilters() {
    Http.Reply r =
        http.post(
            "/search",
            "{\"index\": \"docs\", \"query\": \"someone plays an instrument\", \"k\": 2}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().at("/hits/0/id").asText()).isEqualTo("guitar");
    assertThat(r.json().get("hits")).hasSize(2);

    Http.Reply filtered =
        http.post(
            "/search",
            "{\"index\": \"docs\", \"query\": \"a cat\", \"k\": 3, \"filters\": {\"lang\": \"es\"}}");
    assertThat(filtered.status()).as(filtered.body()).isEqualTo(200);
    assertThat(filtered.json().get("hits")).hasSize(1);
    assertThat(filtered.json().at("/hits/0/id").asText()).isEqualTo("gato");

    Http.Reply keyword =
        http.post("/search", "{\"index\": \"docs\", \"query\": \"onion\", \"mode\": \"keyword\"}");
    assertThat(keyword.status()).as(keyword.body()).isEqualTo(200);
    assertThat(keyword.json().at("/hits/0/id").asText()).isEqualTo("onion");

    assertThat(http.post("/search", "{\"index\": \"nope\", \"query\": \"x\"}").status())
        .isEqualTo(404);
    assertThat(
            http.post("/search", "{\"index\": \"docs\", \"query\": \"x\", \"mode\": \"psychic\"}")
                .status())
        .isEqualTo(422);
    assertThat(http.post("/search", "{\"index\": \"docs\", \"query\": \"x\", \"k\": 0}").status())
        .isEqualTo(422);
  }

  @Test
  void healthInfoAndModels() {
    Http.Reply health = new Http(server.uri(), null).get("/health");
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.json().get("status").asText()).isEqualTo("ok");

    JsonNode info = http.get("/info").json();
    assertThat(info.get("default_model").asText()).isEqualTo("all-MiniLM-L6-v2");
    assertThat(info.at("/models/0/dimension").asInt()).isEqualTo(384);
    assertThat(info.at("/models/0/max_seq_length").asInt()).isEqualTo(256);
    assertThat(info.at("/limits/max_client_batch_size").asInt()).isEqualTo(64);
    assertThat(info.at("/indexes/0/name").asText()).isEqualTo("docs");
    assertThat(info.get("version").asText()).isNotEmpty();
    assertThat(info.toString()).doesNotContain(KEY);

    JsonNode models = http.get("/v1/models").json();
    assertThat(models.at("/data/0/id").asText()).isEqualTo("all-MiniLM-L6-v2");
  }

  @Test
  void metricsArePrometheusText() {
    http.post("/v1/embeddings", "{\"input\": \"metrics please\"}");
    http.post("/v1/embeddings", "{\"input\": []}");
    Http.Reply r = http.get("/metrics");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("Content-Type")).startsWith("text/plain");
    assertThat(r.body())
        .contains("jembed_requests_total{endpoint=\"/v1/embeddings\",status=\"200\"}")
        .contains("jembed_errors_total{kind=\"invalid_input\"}")
        .contains("jembed_queue_inputs{model=\"all-MiniLM-L6-v2\"}")
        .contains("jembed_batch_size_bucket{model=\"all-MiniLM-L6-v2\",le=\"1\"}")
        .contains("jembed_batch_tokens_count{model=\"all-MiniLM-L6-v2\"}")
        .contains("jembed_latency_seconds_bucket{stage=\"inference\"")
        .contains("jembed_latency_seconds_bucket{stage=\"queue\"")
        .contains("jembed_latency_seconds_count{stage=\"request\",endpoint=\"/v1/embeddings\"}");
    assertThat(r.body()).doesNotContain(KEY);
  }

  @Test
  void authIsRequiredEverywhereButHealth() {
    Http anonymous = new Http(server.uri(), null);
    Http wrong = new Http(server.uri(), "not-the-key");
    Http longer = new Http(server.uri(), KEY + "x");
    for (Http client : List.of(anonymous, wrong, longer)) {
      Http.Reply r = client.post("/v1/embeddings", "{\"input\": \"hi\"}");
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.json().at("/error/type").asText()).isEqualTo("unauthorized");
      assertThat(r.body()).doesNotContain(KEY);
      assertThat(client.get("/info").status()).isEqualTo(401);
      assertThat(client.get("/metrics").status()).isEqualTo(401);
    }
    Http.Reply basic =
        http.send(
            HttpRequest.newBuilder(server.uri().resolve("/info"))
                .header("Authorization", KEY)
                .GET(),
            null);
    assertThat(basic.status()).isEqualTo(401);
    assertThat(anonymous.get("/health").status()).isEqualTo(200);
  }

  @Test
  void unknownModelsPathsAndMethods() {
    Http.Reply model = http.post("/v1/embeddings", "{\"input\": \"hi\", \"model\": \"gpt-9\"}");
    assertThat(model.status()).isEqualTo(404);
    assertThat(model.json().at("/error/message").asText())
        .contains("gpt-9")
        .contains("all-MiniLM-L6-v2");
    assertThat(http.get("/nowhere").status()).isEqualTo(404);
    // without the key, an unknown path says no more than a known one
    Http.Reply anonymous = new Http(server.uri(), null).get("/nowhere");
    assertThat(anonymous.status()).isEqualTo(401);
    assertThat(anonymous.json().at("/error/type").asText()).isEqualTo("unauthorized");
    assertThat(http.get("/v1/embeddings").status()).isEqualTo(405);
    assertThat(http.post("/health", "{}").status()).isEqualTo(405);
  }

  @Test
  void invalidInputIs422WithAMessageNamingTheProblem() {
    record Case(String body, String message) {}
    List<Case> cases = new ArrayList<>();
    cases.add(new Case("{\"input\": []}", "empty"));
    cases.add(new Case("{\"input\": [\"ok\", 3]}", "input[1] must be a string"));
    cases.add(new Case("{\"input\": [[101, 2023]]}", "token ids"));
    cases.add(new Case("{\"input\": 42}", "string or an array"));
    cases.add(new Case("{\"model\": \"all-MiniLM-L6-v2\"}", "input is missing"));
    cases.add(new Case("{\"input\": \"x\", \"encoding_format\": \"int8\"}", "encoding_format"));
    cases.add(new Case("{\"input\": \"x\", \"dimensions\": 999}", "dimensions"));
    cases.add(new Case("{\"input\": \"x\", \"dimensions\": \"12\"}", "dimensions"));
    cases.add(new Case("{\"input\": \"x\", \"model\": 7}", "model must be a string"));
    cases.add(new Case("[\"a list\"]", "JSON object"));
    cases.add(
        new Case(
            json(java.util.Map.of("input", java.util.Collections.nCopies(65, "x"))),
            "too many inputs"));
    for (Case c : cases) {
      Http.Reply r = http.post("/v1/embeddings", c.body());
      assertThat(r.status()).as(c.body()).isEqualTo(422);
      assertThat(r.json().at("/error/message").asText()).as(c.body()).contains(c.message());
      assertThat(r.json().at("/error/code").asInt()).isEqualTo(422);
    }
    assertThat(http.post("/embed", "{\"inputs\": \"x\", \"normalize\": \"yes\"}").status())
        .isEqualTo(422);
    assertThat(http.post("/similarity", "{\"inputs\": [\"x\"]}").status()).isEqualTo(422);
  }

  @Test
  void malformedJsonIs400() {
    for (String body :
        List.of("{\"input\": ", "not json at all", "", "{\"input\": \"x\"} trailing")) {
      Http.Reply r = http.post("/v1/embeddings", body);
      assertThat(r.status()).as(body).isIn(400);
      assertThat(r.json().at("/error/type").asText()).isEqualTo("malformed_json");
    }
  }
}

package io.jembed.explore.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.jembed.index.Document;
import io.jembed.index.IndexOptions;
import io.jembed.index.Quantization;
import io.jembed.index.StoredDocument;
import io.jembed.index.VectorStore;
import io.jembed.index.lucene.LuceneVectorStore;
import io.jembed.server.EmbeddingServer;
import io.jembed.server.ServerOptions;
import io.jembed.testing.HashingModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /search percentiles, /maps, /neighbours and /duplicates over a real Lucene index, with the
 * deterministic HashingModel (these endpoints do not depend on the model's quality).
 */
class CollectionEndpointsTest {
  static final String[] TOPICS = {"sports", "cooking", "finance"};
  static final String[][] WORDS = {
    {"football", "goal", "match", "team", "league", "coach", "player", "stadium"},
    {"recipe", "oven", "flour", "sugar", "bake", "butter", "pan", "garlic"},
    {"stock", "bond", "market", "price", "bank", "interest", "fund", "trade"}
  };

  @TempDir static Path dir;
  static HashingModel model;
  static VectorStore store;
  static EmbeddingServer server;
  static Http http;

  @BeforeAll
  static void start() {
    model = new HashingModel("hashing-64", 64, 128);
    store =
        LuceneVectorStore.create(
            dir.resolve("idx"),
            model,
            // float vectors: the hits' scores are exact, as the brute force below computes them
            IndexOptions.builder().quantization(Quantization.NONE).build());
    Random random = new Random(7);
    List<Document> docs = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      int topic = i % 3;
      StringBuilder text = new StringBuilder();
      for (int w = 0; w < 6; w++) {
        text.append(WORDS[topic][random.nextInt(8)]).append(' ');
      }
      docs.add(
          Document.builder(String.format("doc-%03d", i))
              .text(text.toString().trim())
              .metadata("label", TOPICS[topic])
              .build());
    }
    // two exact copies: a near-duplicate group of three
    docs.add(
        Document.builder("copy-a").text(docs.get(0).text()).metadata("label", "sports").build());
    docs.add(
        Document.builder("copy-b").text(docs.get(0).text()).metadata("label", "sports").build());
    store.upsert(docs);
    store.commit();
    server =
        EmbeddingServer.builder()
            .model("hashing", model)
            .index("topics", store)
            .options(ServerOptions.builder().port(0).build())
            .start();
    http = new Http(server.uri());
  }

  @AfterAll
  static void stop() {
    server.close();
    store.close();
  }

  @Test
  void percentilesMatchABruteForceCount() {
    String query = "football coach stadium";
    JsonNode r =
        http.post("/search", Map.of("index", "topics", "query", query, "k", 5, "percentiles", true))
            .json();
    assertThat(r.get("collection_size").asInt()).isEqualTo(302);
    List<float[]> all = new ArrayList<>();
    Map<String, float[]> byChunk = new java.util.HashMap<>();
    store.exportDocuments(
        d ->
            d.chunks()
                .forEach(
                    c -> {
                      all.add(c.vector());
                      byChunk.put(d.id() + "#" + c.index(), c.vector());
                    }));
    float[] q = model.encodeQuery(query);
    for (JsonNode hit : r.get("hits")) {
      // the hit's exact score against its own vector, and every chunk's score, by brute force
      float[] own = byChunk.get(hit.get("id").asText() + "#" + hit.get("chunk").asInt());
      float exact = model.similarity(q, own);
      assertThat(hit.get("score").asDouble()).isCloseTo(exact, within(1e-4));
      long below = all.stream().filter(v -> model.similarity(q, v) < exact).count();
      assertThat(hit.get("percentile").asDouble())
          .isCloseTo(100.0 * below / all.size(), within(1e-9));
      // the whole document comes with the hit, and the chunk sits in it where start..end say
      String document = hit.get("document").asText();
      assertThat(document.substring(hit.get("start").asInt(), hit.get("end").asInt()))
          .isEqualTo(hit.get("text").asText());
    }
    assertThat(r.get("hits").get(0).get("percentile").asDouble()).isGreaterThan(95);
    // keyword search: percentiles of the hits' vector scores all the same
    JsonNode keyword =
        http.post("/search", Map.of("query", query, "mode", "keyword", "k", 3, "percentiles", true))
            .json();
    assertThat(keyword.get("hits").get(0).get("percentile").isNumber()).isTrue();
    // without the flag the answer is as before
    JsonNode plain = http.post("/search", Map.of("index", "topics", "query", query)).json();
    assertThat(plain.has("collection_size")).isFalse();
    assertThat(plain.get("hits").get(0).has("percentile")).isFalse();
  }

  @Test
  void aMapIsComputedOnceThenServedFromItsCache() {
    JsonNode first = http.post("/maps", Map.of("index", "topics", "method", "pca")).json();
    assertThat(first.get("points").asInt()).isEqualTo(302);
    assertThat(first.get("method").asText()).isEqualTo("pca");
    String id = first.get("id").asText();
    JsonNode second = http.post("/maps", Map.of("index", "topics", "method", "pca")).json();
    assertThat(second.get("cached").asBoolean()).isTrue();
    assertThat(second.get("id").asText()).isEqualTo(id);
    // the layout is kept in the index folder
    try (Stream<Path> files = Files.list(dir.resolve("idx").resolve("explore-maps"))) {
      assertThat(files.filter(f -> f.toString().endsWith("-pca.f32")).count()).isEqualTo(1);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    // legend: label counts, biggest first
    JsonNode legend = first.get("legend");
    assertThat(legend.get(0).get("value").asText()).isEqualTo("sports");
    assertThat(legend.get(0).get("count").asInt()).isEqualTo(102);
    int total = 0;
    for (JsonNode l : legend) {
      total += l.get("count").asInt();
    }
    assertThat(total).isEqualTo(302);

    Http.Reply coords = http.get(first.get("coordinates").asText());
    assertThat(coords.status()).isEqualTo(200);
    assertThat(coords.header("Content-Type")).isEqualTo("application/octet-stream");
    assertThat(coords.bytes()).hasSize(302 * 8);
    ByteBuffer xy = ByteBuffer.wrap(coords.bytes()).order(ByteOrder.LITTLE_ENDIAN);
    float[] x = new float[302];
    float[] y = new float[302];
    for (int i = 0; i < 302; i++) {
      x[i] = xy.getFloat();
      y[i] = xy.getFloat();
      assertThat(Float.isFinite(x[i]) && Float.isFinite(y[i])).isTrue();
    }

    byte[] colors = http.get("/maps/" + id + "/colors").bytes();
    assertThat(colors).hasSize(302 * 2);
    JsonNode points = http.get("/maps/" + id + "/points?from=0&to=302").json();
    assertThat(points).hasSize(302);
    ByteBuffer cb = ByteBuffer.wrap(colors).order(ByteOrder.LITTLE_ENDIAN);
    double[] meanX = new double[3];
    int[] n = new int[3];
    for (int i = 0; i < 302; i++) {
      JsonNode p = points.get(i);
      assertThat(p.get("i").asInt()).isEqualTo(i);
      assertThat(p.get("id").asText()).isEqualTo(p.get("document").asText() + "#0");
      String label = p.get("label").asText();
      assertThat(legend.get(cb.getChar()).get("value").asText()).isEqualTo(label);
      int topic = List.of(TOPICS).indexOf(label);
      meanX[topic] += x[i];
      n[topic]++;
    }
    // three topics with disjoint words: PCA separates them
    assertThat(
            Math.abs(meanX[0] / n[0] - meanX[1] / n[1])
                + Math.abs(meanX[1] / n[1] - meanX[2] / n[2]))
        .isGreaterThan(0.05);
    JsonNode page = http.get("/maps/" + id + "/points?from=300").json();
    assertThat(page).hasSize(2);
    assertThat(page.get(0).get("id").asText()).endsWith("#0");
  }

  @Test
  void tsneAndUmapMapsToo() {
    for (String method : List.of("tsne", "umap")) {
      JsonNode m = http.post("/maps", Map.of("index", "topics", "method", method)).json();
      assertThat(m.get("points").asInt()).as(method).isEqualTo(302);
      assertThat(http.get(m.get("coordinates").asText()).bytes()).hasSize(302 * 8);
    }
  }

  @Test
  void aQueryIsPlacedAmongItsNearestPoints() {
    JsonNode m = http.post("/maps", Map.of("index", "topics", "method", "pca")).json();
    String id = m.get("id").asText();
    JsonNode placed =
        http.post("/maps/" + id + "/place", Map.of("query", "recipe oven flour", "k", 5)).json();
    assertThat(placed.get("hits")).hasSize(5);
    JsonNode points = http.get("/maps/" + id + "/points?from=0&to=302").json();
    for (JsonNode hit : placed.get("hits")) {
      assertThat(points.get(hit.asInt()).get("label").asText()).isEqualTo("cooking");
    }
    assertThat(placed.get("x").isNumber()).isTrue();
  }

  @Test
  void neighboursAreNearestInTheOriginalSpace() {
    JsonNode r =
        http.post("/neighbours", Map.of("index", "topics", "id", "doc-000", "k", 3)).json();
    assertThat(r).hasSize(3);
    List<String> ids = new ArrayList<>();
    r.forEach(h -> ids.add(h.get("id").asText()));
    assertThat(ids).contains("copy-a#0", "copy-b#0");
    assertThat(r.get(0).get("score").asDouble()).isCloseTo(1.0, within(1e-5));
    List<StoredDocument> docs = new ArrayList<>();
    store.exportDocuments(docs::add);
    // by map point: the same neighbours
    JsonNode m = http.post("/maps", Map.of("index", "topics", "method", "pca")).json();
    int point = r.get(0).get("i").asInt();
    JsonNode byPoint =
        http.post("/neighbours", Map.of("map", m.get("id").asText(), "point", point, "k", 2))
            .json();
    assertThat(byPoint).hasSize(2);
    assertThat(byPoint.get(0).get("score").asDouble()).isCloseTo(1.0, within(1e-5));
  }

  @Test
  void duplicatesGroupTheCopies() {
    JsonNode r = http.post("/duplicates", Map.of("index", "topics", "threshold", 0.999)).json();
    JsonNode first = r.get("groups").get(0);
    List<String> ids = new ArrayList<>();
    first.get("ids").forEach(i -> ids.add(i.asText()));
    assertThat(ids).contains("copy-a#0", "copy-b#0", "doc-000#0");
    assertThat(first.get("score_min").asDouble()).isGreaterThan(0.999);
    assertThat(first.get("texts").get(0).asText()).isNotBlank();
    // groups come biggest first
    int previous = Integer.MAX_VALUE;
    for (JsonNode g : r.get("groups")) {
      assertThat(g.get("ids").size()).isLessThanOrEqualTo(previous);
      previous = g.get("ids").size();
    }
  }

  @Test
  void badRequestsGetClearErrors() {
    Http.Reply r = http.post("/maps", Map.of("index", "nope", "method", "pca"));
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.json().get("error").get("message").asText()).contains("nope").contains("topics");
    r = http.post("/maps", Map.of("index", "topics", "method", "mds"));
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.json().get("error").get("message").asText()).contains("mds").contains("umap");
    assertThat(http.get("/maps/ffff/coordinates").status()).isEqualTo(404);
    assertThat(http.post("/maps/ffff/coordinates", "{}").status()).isEqualTo(404);
    assertThat(http.get("/maps").status()).isEqualTo(405);
    for (String endpoint : List.of("/neighbours", "/duplicates")) {
      r = http.post(endpoint, Map.of("index", "nope", "id", "doc-000#0"));
      assertThat(r.status()).as(endpoint).isEqualTo(404);
      assertThat(r.json().get("error").get("message").asText()).contains("nope");
    }
    r = http.post("/search", Map.of("index", "nope", "query", "x", "percentiles", true));
    assertThat(r.status()).isEqualTo(404);
    r = http.post("/neighbours", Map.of("index", "topics", "id", "no-such-doc"));
    assertThat(r.status()).isEqualTo(404);
    r = http.post("/duplicates", Map.of("index", "topics", "threshold", 2));
    assertThat(r.status()).isEqualTo(422);
    r = http.postBytes("/duplicates", new byte[] {'{', '"', (byte) 0xFF, '"', ':', '1', '}'});
    assertThat(r.status()).isEqualTo(400);
    JsonNode m = http.post("/maps", Map.of("index", "topics", "method", "pca")).json();
    r = http.get("/maps/" + m.get("id").asText() + "/points?from=0&to=20000");
    assertThat(r.status()).isEqualTo(422);
    r = http.get("/maps/" + m.get("id").asText() + "/points?from=abc");
    assertThat(r.status()).isEqualTo(422);
    assertThat(http.get("/health").status()).isEqualTo(200);
  }
}

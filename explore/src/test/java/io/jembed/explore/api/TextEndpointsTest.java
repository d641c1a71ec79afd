package io.jembed.explore.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.jembed.EmbeddingModel;
import io.jembed.server.EmbeddingServer;
import io.jembed.server.ServerOptions;
import java.io.InputStream;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** /tokenize, /compare, /explain and the page's files, with the real all-MiniLM-L6-v2. */
class TextEndpointsTest {
  static EmbeddingModel model;
  static EmbeddingServer server;
  static Http http;

  @BeforeAll
  static void start() {
    model = EmbeddingModel.load("all-MiniLM-L6-v2");
    server =
        EmbeddingServer.builder()
            .model("minilm", model)
            .options(ServerOptions.builder().port(0).maxClientBatchSize(200).build())
            .start();
    http = new Http(server.uri());
  }

  @AfterAll
  static void stop() {
    server.close();
    model.close();
  }

  @Test
  void tokenizeListsTokensWithOffsetsIntoTheTextAsGiven() {
    String text = "  Naïve café owners love 😀 emoji";
    JsonNode r = http.post("/tokenize", Map.of("inputs", text)).json();
    assertThat(r).hasSize(1);
    JsonNode first = r.get(0);
    assertThat(first.get("max_seq_length").asInt()).isEqualTo(256);
    assertThat(first.get("truncated").asBoolean()).isFalse();
    assertThat(first.get("kept_chars").asInt()).isEqualTo(text.length());
    JsonNode tokens = first.get("tokens");
    assertThat(first.get("token_count").asInt())
        .isEqualTo(tokens.size())
        .isEqualTo(model.countTokens(text));
    assertThat(tokens.get(0).get("text").asText()).isEqualTo("[CLS]");
    assertThat(tokens.get(0).get("special").asBoolean()).isTrue();
    assertThat(tokens.get(tokens.size() - 1).get("text").asText()).isEqualTo("[SEP]");
    // every word piece points at its characters in the original (unstripped, mixed-case) text
    for (JsonNode t : tokens) {
      if (!t.get("special").asBoolean()) {
        String covered = text.substring(t.get("start").asInt(), t.get("end").asInt());
        // the tokenizer lower-cases and strips accents; the offsets point at the text as given
        String plain =
            Normalizer.normalize(covered.toLowerCase(Locale.ROOT), Normalizer.Form.NFD)
                .replaceAll("\\p{M}", "");
        String piece = t.get("text").asText().replace("##", "");
        if (!piece.equals("[UNK]")) {
          assertThat(plain).as("token %s", t).isEqualTo(piece);
        }
      }
    }
    assertThat(tokens.get(1).get("start").asInt()).isEqualTo(2);
    // the emoji is one [UNK] over its two UTF-16 units; "emoji" is em ##oj ##i
    assertThat(tokens.get(5).get("text").asText()).isEqualTo("[UNK]");
    assertThat(tokens.get(5).get("end").asInt() - tokens.get(5).get("start").asInt()).isEqualTo(2);
    assertThat(tokens.get(tokens.size() - 2).get("end").asInt()).isEqualTo(text.length());
  }

  @Test
  void tokenizeShowsWhereTruncationCuts() {
    String text = "word ".repeat(300).trim();
    JsonNode r = http.post("/tokenize", Map.of("inputs", List.of(text, "short"))).json();
    JsonNode t = r.get(0);
    assertThat(t.get("token_count").asInt()).isEqualTo(302);
    assertThat(t.get("truncated").asBoolean()).isTrue();
    // [CLS] + 254 words + [SEP] are kept: the cut falls after the 254th word
    assertThat(t.get("kept_chars").asInt()).isEqualTo(254 * 5 - 1);
    long kept = 0;
    for (JsonNode token : t.get("tokens")) {
      kept += token.get("kept").asBoolean() ? 1 : 0;
    }
    assertThat(kept).isEqualTo(256);
    assertThat(t.get("tokens")).hasSize(302);
    assertThat(r.get(1).get("truncated").asBoolean()).isFalse();
  }

  @Test
  void compareEqualsSimilarityToThreeDecimals() {
    List<String> texts =
        List.of(
            "A man is playing a guitar.",
            "Someone plays an instrument.",
            "The stock market fell today.");
    JsonNode c = http.post("/compare", Map.of("inputs", texts)).json();
    assertThat(c.get("model").asText()).isEqualTo("minilm");
    assertThat(c.get("similarity").asText()).isEqualTo("cosine");
    JsonNode m = c.get("matrix");
    for (int i = 0; i < texts.size(); i++) {
      List<String> others = new ArrayList<>(texts);
      JsonNode s =
          http.post(
                  "/similarity",
                  Map.of("inputs", Map.of("source_sentence", texts.get(i), "sentences", others)))
              .json();
      for (int j = 0; j < texts.size(); j++) {
        assertThat(m.get(i).get(j).asDouble()).isCloseTo(s.get(j).asDouble(), within(5e-4));
      }
    }
    assertThat(m.get(0).get(0).asDouble()).isCloseTo(1.0, within(1e-3));
    // the two guitar sentences sit next to each other in the clustered order
    List<Integer> order = new ArrayList<>();
    c.get("order").forEach(n -> order.add(n.asInt()));
    assertThat(order).containsExactlyInAnyOrder(0, 1, 2);
    assertThat(Math.abs(order.indexOf(0) - order.indexOf(1))).isEqualTo(1);
    assertThat(c.get("inputs").get(0).get("token_count").asInt())
        .isEqualTo(model.countTokens(texts.get(0)));
    assertThat(c.get("inputs").get(0).get("kept_chars").asInt()).isEqualTo(texts.get(0).length());
  }

  @Test
  void explainDropsPointAtTheWordsThatMatch() {
    JsonNode e =
        http.post(
                "/explain",
                Map.of(
                    "query", "configure nginx as a reverse proxy",
                    "text",
                        "The weather was sunny. Nginx can forward requests to a backend as a reverse proxy."))
            .json();
    double score = e.get("score").asDouble();
    assertThat(score).isGreaterThan(0.3);
    assertThat(e.get("explained_tokens").asInt()).isEqualTo(64);
    assertThat(e.get("truncated").asBoolean()).isFalse();
    JsonNode text = e.get("text_tokens");
    String given =
        "The weather was sunny. Nginx can forward requests to a backend as a reverse proxy.";
    int nginxAt = given.indexOf("Nginx");
    double nginx = Double.NaN;
    double weather = Double.NaN;
    double maxDrop = Double.NEGATIVE_INFINITY;
    double sum = 0;
    for (JsonNode t : text) {
      double drop = t.get("drop").asDouble();
      sum += drop;
      maxDrop = Math.max(maxDrop, drop);
      // "Nginx" is word pieces (ng ##in ##x); its first piece carries the match
      if (t.get("start").asInt() == nginxAt) {
        nginx = drop;
      }
      if (t.get("text").asText().equals("weather")) {
        weather = drop;
      }
    }
    // leaving out what the query is about costs the most; an unrelated word costs little
    assertThat(nginx).isPositive().isEqualTo(maxDrop).isGreaterThan(weather + 0.1);
    assertThat(sum).isPositive();
    double queryMax = Double.NEGATIVE_INFINITY;
    double queryNginx = Double.NaN;
    for (JsonNode t : e.get("query_tokens")) {
      queryMax = Math.max(queryMax, t.get("drop").asDouble());
      if (t.get("start").asInt() == "configure ".length()) {
        queryNginx = t.get("drop").asDouble();
      }
    }
    assertThat(queryNginx).isPositive().isEqualTo(queryMax);
  }

  @Test
  void explainMarksTheTokensPastTheCutAsTokenizeDoes() {
    String text = "word ".repeat(260) + "so this tail is never read";
    JsonNode e =
        http.post("/explain", Map.of("query", "a single word", "text", text, "model", "minilm"))
            .json();
    assertThat(e.get("truncated").asBoolean()).isTrue();
    JsonNode tokenized = http.post("/tokenize", Map.of("inputs", text)).json().get(0);
    List<JsonNode> expected = new ArrayList<>();
    for (JsonNode t : tokenized.get("tokens")) {
      if (!t.get("special").asBoolean()) {
        expected.add(t);
      }
    }
    JsonNode tokens = e.get("text_tokens");
    assertThat(tokens).hasSize(expected.size());
    int kept = 0;
    for (int i = 0; i < tokens.size(); i++) {
      JsonNode t = tokens.get(i);
      assertThat(t.get("start").asInt()).isEqualTo(expected.get(i).get("start").asInt());
      assertThat(t.get("kept").asBoolean())
          .as("token %d", i)
          .isEqualTo(expected.get(i).get("kept").asBoolean());
      if (t.get("kept").asBoolean()) {
        kept++;
        assertThat(t.get("end").asInt()).isLessThanOrEqualTo(tokenized.get("kept_chars").asInt());
      } else {
        assertThat(t.get("drop").isNull()).as("a cut token is not explained").isTrue();
      }
    }
    // [CLS] and [SEP] take two of the 256: 254 word pieces are read, the rest (the tail) are not
    assertThat(kept).isEqualTo(254);
    assertThat(tokens.get(tokens.size() - 1).get("kept").asBoolean()).isFalse();
    assertThat(tokens.get(tokens.size() - 1).get("text").asText()).isEqualTo("read");
    for (JsonNode t : e.get("query_tokens")) {
      assertThat(t.get("kept").asBoolean()).isTrue();
    }
  }

  @Test
  void badInputsGetClearErrors() {
    // non-UTF-8 body
    Http.Reply r =
        http.postBytes(
            "/tokenize",
            new byte[] {'{', '"', 'i', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'});
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("error").get("message").asText()).containsIgnoringCase("UTF-8");
    // more than 100 texts to compare
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 101; i++) {
      many.add("text " + i);
    }
    r = http.post("/compare", Map.of("inputs", many));
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.json().get("error").get("message").asText()).contains("101").contains("100");
    // more texts to tokenize than the server takes per request (--max-client-batch 200)
    List<String> tooMany = new ArrayList<>();
    for (int i = 0; i < 201; i++) {
      tooMany.add("text " + i);
    }
    r = http.post("/tokenize", Map.of("inputs", tooMany));
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.json().get("error").get("message").asText()).contains("201").contains("200");
    // an unknown model, an unknown index
    r = http.post("/compare", Map.of("inputs", List.of("a"), "model", "nope"));
    assertThat(r.status()).isEqualTo(404);
    r = http.post("/explain", Map.of("query", "a", "text", "b", "index", "nope"));
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.json().get("error").get("message").asText()).contains("nope");
    // wrong HTTP method
    assertThat(http.get("/compare").status()).isEqualTo(405);
    r = http.post("/explain", Map.of("query", "", "text", "b"));
    assertThat(r.status()).isEqualTo(422);
    assertThat(http.get("/health").status()).isEqualTo(200);
  }

  @Test
  void servesThePageAndItsConfigOpenly() throws Exception {
    JsonNode config = http.get("/explore/config.json").json();
    assertThat(config.get("auth_required").asBoolean()).isFalse();
    assertThat(config.has("version")).isTrue();
    Http.Reply fixture = http.get("/explore/api-test/fixture.txt");
    assertThat(fixture.status()).isEqualTo(200);
    assertThat(fixture.header("Content-Type")).startsWith("text/plain");
    assertThat(fixture.body()).contains("served from the class path");
    assertThat(http.get("/explore/../secret").status()).isIn(400, 404);
    assertThat(http.get("/explore/api-test/..%2Ffixture.txt").status()).isIn(400, 404);
    Http.Reply missing = http.get("/explore/no-such-file.js");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.json().get("error").get("message").asText()).contains("no-such-file.js");
    Http.Reply index = http.get("/");
    try (InputStream in =
        getClass().getClassLoader().getResourceAsStream("io/jembed/explore/web/index.html")) {
      if (in == null) {
        assertThat(index.status()).isEqualTo(404);
      } else {
        assertThat(index.status()).isEqualTo(200);
        assertThat(index.header("Content-Type")).startsWith("text/html");
        assertThat(index.bytes()).isEqualTo(in.readAllBytes());
      }
    }
  }

  @Test
  void withAnApiKeyThePageIsOpenAndTheApiIsNot() {
    try (EmbeddingServer keyed =
        EmbeddingServer.builder()
            .model("minilm", model)
            .options(ServerOptions.builder().port(0).apiKey("s3cret").build())
            .start()) {
      Http anonymous = new Http(keyed.uri());
      assertThat(anonymous.get("/explore/config.json").json().get("auth_required").asBoolean())
          .isTrue();
      assertThat(anonymous.get("/explore/api-test/fixture.txt").status()).isEqualTo(200);
      assertThat(anonymous.post("/compare", Map.of("inputs", List.of("a"))).status())
          .isEqualTo(401);
      assertThat(
              new Http(keyed.uri(), "s3cret")
                  .post("/compare", Map.of("inputs", List.of("a")))
                  .status())
          .isEqualTo(200);
    }
  }
}

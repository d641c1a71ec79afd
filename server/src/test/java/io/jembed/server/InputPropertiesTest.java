package io.jembed.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.jembed.EmbeddingModel;
import java.net.http.HttpRequest;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/** Whatever a client sends, the answer is vectors or a clear 4xx, never a crash. */
class InputPropertiesTest {
  static EmbeddingModel model;
  static EmbeddingServer server;
  static Http http;

  @BeforeContainer
  static void start() {
    model = EmbeddingModel.load("all-MiniLM-L6-v2");
    server =
        EmbeddingServer.builder()
            .model("minilm", model)
            .options(ServerOptions.builder().port(0).maxClientBatchSize(3).build())
            .start();
    http = new Http(server.uri(), null);
  }

  @AfterContainer
  static void stop() {
    server.close();
    model.close();
  }

  @Provide
  Arbitrary<String> wrongInputs() {
    Arbitrary<String> scalars =
        Arbitraries.of(
            "null",
            "true",
            "false",
            "0",
            "-1.5",
            "{}",
            "[]",
            "[null]",
            "[1, 2]",
            "[[1]]",
            "[{}]",
            "[\"ok\", false]",
            "{\"text\": \"x\"}");
    Arbitrary<String> strings =
        Arbitraries.strings()
            .ofMaxLength(40)
            .map(
                s -> {
                  try {
                    return Http.JSON.writeValueAsString(s);
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                });
    return Arbitraries.oneOf(
        scalars, strings, strings.list().ofMaxSize(4).map(l -> "[" + String.join(",", l) + "]"));
  }

  @Property(tries = 60)
  void anyInputValueIsEitherEncodedOrRejectedWith422(@ForAll("wrongInputs") String input)
      throws Exception {
    Http.Reply r = http.post("/v1/embeddings", "{\"input\": " + input + "}");
    com.fasterxml.jackson.databind.JsonNode node = Http.JSON.readTree(input);
    boolean valid =
        node.isTextual()
            || (node.isArray()
                && !node.isEmpty()
                && node.size() <= 3
                && java.util.stream.StreamSupport.stream(node.spliterator(), false)
                    .allMatch(com.fasterxml.jackson.databind.JsonNode::isTextual));
    assertThat(r.status()).as(input + " -> " + r.body()).isEqualTo(valid ? 200 : 422);
    if (r.status() == 200) {
      assertThat(r.json().get("data")).isNotEmpty();
    } else {
      assertThat(r.json().at("/error/message").asText()).isNotBlank();
    }
  }

  @Property(tries = 40)
  void arbitraryBytesNeverCrashTheServer(@ForAll byte[] body) {
    Http.Reply r =
        http.send(
            HttpRequest.newBuilder(server.uri().resolve("/embed"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)),
            null);
    assertThat(r.status()).isIn(200, 400, 422);
  }
}

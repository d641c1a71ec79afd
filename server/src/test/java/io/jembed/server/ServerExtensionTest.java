package io.jembed.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.jembed.InputType;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** An extension's routes: exact and prefix, open and keyed, query parameters, encoding, close. */
class ServerExtensionTest {
  @Test
  void anExtensionAddsRoutesUnderTheServersRules() {
    AtomicBoolean closed = new AtomicBoolean();
    ServerExtension extension =
        new ServerExtension() {
          @Override
          public void install(ServerContext context) {
            context
                .get(
                    "/hello",
                    Router.Access.OPEN,
                    ServerContext.Cost.FREE,
                    r -> ApiResponse.text(200, "text/plain", "hi " + r.queryParameter("name")))
                .prefix(
                    "GET",
                    "/things/",
                    Router.Access.API_KEY,
                    ServerContext.Cost.FREE,
                    r -> ApiResponse.json(200, Map.of("path", r.path())))
                .post(
                    "/count",
                    Router.Access.API_KEY,
                    ServerContext.Cost.ENCODE,
                    r -> {
                      var body = ServerContext.readJson(r);
                      List<String> texts = context.texts(body, "inputs");
                      float[][] v = context.encode(r, context.model(body), texts, InputType.NONE);
                      return ApiResponse.json(200, Map.of("vectors", v.length));
                    });
          }

          @Override
          public void close() {
            closed.set(true);
          }
        };
    try (EmbeddingServer server =
        EmbeddingServer.builder()
            .model("fake", new FakeModel())
            .extension(extension)
            .options(ServerOptions.builder().port(0).apiKey("k").build())
            .start()) {
      Http anonymous = new Http(server.uri(), null);
      Http keyed = new Http(server.uri(), "k");
      Http.Reply hello = anonymous.get("/hello?name=J%C3%BCrgen&x=1");
      assertThat(hello.status()).isEqualTo(200);
      assertThat(hello.body()).isEqualTo("hi Jürgen");
      assertThat(anonymous.get("/things/a/b").status()).isEqualTo(401);
      assertThat(keyed.get("/things/a/b").json().get("path").asText()).isEqualTo("/things/a/b");
      Http.Reply wrongMethod = keyed.post("/things/a", "{}");
      assertThat(wrongMethod.status()).isEqualTo(405);
      assertThat(wrongMethod.header("Allow")).isEqualTo("GET, HEAD");
      assertThat(keyed.post("/count", "{\"inputs\": [\"a\", \"b\"]}").json().get("vectors").asInt())
          .isEqualTo(2);
      assertThat(keyed.post("/count", "{\"inputs\": [\"a\"], \"model\": \"nope\"}").status())
          .isEqualTo(404);
      assertThat(keyed.get("/nothing").status()).isEqualTo(404);
    }
    assertThat(closed).isTrue();
  }

  @Test
  void twoRoutesForOnePathAreRefused() {
    ServerExtension clash =
        context ->
            context.post(
                "/embed",
                Router.Access.OPEN,
                ServerContext.Cost.FREE,
                r -> ApiResponse.text(200, "text/plain", ""));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                EmbeddingServer.builder()
                    .model("fake", new FakeModel())
                    .extension(clash)
                    .options(ServerOptions.builder().port(0).build())
                    .start())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/embed");
  }
}

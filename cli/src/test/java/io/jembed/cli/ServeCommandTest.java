package io.jembed.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServeCommandTest {
  @TempDir Path dir;

  private static HttpResponse<String> post(URI base, String path, String body, String key)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(path)).POST(HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .build()
        .send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesUntilStoppedWithTheChosenModelsKeyAndLimits() throws Exception {
    Path keyFile = dir.resolve("key.txt");
    Files.writeString(keyFile, "s3cret-key\n");
    RunningServer serve =
        RunningServer.start(
            "serve",
            "--port",
            "0",
            "--model",
            "minilm=all-MiniLM-L6-v2",
            "--api-key-file",
            keyFile.toString(),
            "--max-client-batch",
            "2",
            "--no-truncate");
    URI base = serve.url();
    assertThat(base).isEqualTo(serve.server().uri());
    assertThat(base.getHost()).isEqualTo("127.0.0.1");
    assertThat(serve.err().toString())
        .contains("minilm")
        .contains("/v1")
        .doesNotContain("s3cret-key");

    HttpResponse<String> ok =
        post(base, "/v1/embeddings", "{\"input\": \"hello\", \"model\": \"minilm\"}", "s3cret-key");
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    JsonNode body = new ObjectMapper().readTree(ok.body());
    assertThat(body.at("/data/0/embedding")).hasSize(384);
    assertThat(post(base, "/v1/embeddings", "{\"input\": \"hello\"}", null).statusCode())
        .isEqualTo(401);
    assertThat(
            post(base, "/v1/embeddings", "{\"input\": [\"a\", \"b\", \"c\"]}", "s3cret-key")
                .statusCode())
        .isEqualTo(422);
    assertThat(
            post(base, "/embed", "{\"inputs\": \"" + "word ".repeat(400) + "\"}", "s3cret-key")
                .statusCode())
        .isEqualTo(422);

    assertThat(serve.stop(60)).isEqualTo(JembedCli.OK);
    assertThat(serve.err().toString()).contains("stopped");
  }

  @Test
  void wrongUsageExitsWith2AndSaysWhy() {
    CliRunner.Result port = CliRunner.run("serve", "--port", "70000");
    assertThat(port.exit()).isEqualTo(JembedCli.USAGE);
    assertThat(port.err()).contains("--port");

    CliRunner.Result env = CliRunner.run("serve", "--api-key-env", "JEMBED_TEST_SURELY_UNSET_VAR");
    assertThat(env.exit()).isEqualTo(JembedCli.USAGE);
    assertThat(env.err()).contains("JEMBED_TEST_SURELY_UNSET_VAR");

    CliRunner.Result both = CliRunner.run("serve", "--api-key-env", "A", "--api-key-file", "b.txt");
    assertThat(both.exit()).isEqualTo(JembedCli.USAGE);

    CliRunner.Result index = CliRunner.run("serve", "--port", "0", "--index", "no-equals-sign");
    assertThat(index.exit()).isEqualTo(JembedCli.USAGE);
    assertThat(index.err()).contains("NAME=DIR");

    CliRunner.Result limit = CliRunner.run("serve", "--max-concurrent", "0");
    assertThat(limit.exit()).isEqualTo(JembedCli.USAGE);
    assertThat(limit.err()).contains("--max-concurrent");
  }

  @Test
  void aMissingIndexFolderIsAClearFailure() {
    CliRunner.Result r =
        CliRunner.run("serve", "--port", "0", "--index", "docs=" + dir.resolve("nothing-here"));
    assertThat(r.exit()).isEqualTo(JembedCli.FAILURE);
    assertThat(r.err()).contains("nothing-here");
  }
}

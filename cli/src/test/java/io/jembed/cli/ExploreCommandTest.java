package io.jembed.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code jembed explore}: starts, prints the URL, answers the page's endpoints, stops. */
class ExploreCommandTest {
  @TempDir Path dir;

  private static RunningServer start(String... args) throws InterruptedException {
    String[] all = new String[args.length + 1];
    all[0] = "explore";
    System.arraycopy(args, 0, all, 1, args.length);
    return RunningServer.start(all);
  }

  static JsonNode get(URI base, String path) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(base.resolve(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new ObjectMapper().readTree(r.body());
  }

  static JsonNode post(URI base, String path, String body) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(base.resolve(path))
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new ObjectMapper().readTree(r.body());
  }

  @Test
  void aTextFileWithLabelsIsEmbeddedOnceAndExplored() throws Exception {
    Path file = dir.resolve("animals.txt");
    Files.writeString(
        file,
        "The cat sleeps on the sofa.\tpets\n"
            + "A dog fetches the ball.\tpets\n"
            + "\n"
            + "Stocks fell sharply today.\tfinance\n"
            + "The central bank raised interest rates.\tfinance\n"
            + "A line without a label\n"
            // a text of its own: this test's cache entry is new whatever earlier runs left
            + "Run "
            + java.util.UUID.randomUUID()
            + "\n");
    RunningServer run = start(file.toString(), "--no-browser");
    assertThat(run.url().getHost()).isEqualTo("127.0.0.1");
    assertThat(run.url().getPath()).isEqualTo("/");
    assertThat(run.err().toString()).contains("embedding 6 texts");
    JsonNode config = get(run.url(), "/explore/config.json");
    assertThat(config.get("auth_required").asBoolean()).isFalse();
    JsonNode info = get(run.url(), "/info");
    assertThat(info.at("/indexes/0/name").asText()).isEqualTo("animals");
    assertThat(info.at("/indexes/0/documents").asInt()).isEqualTo(6);
    JsonNode hits =
        post(
            run.url(),
            "/search",
            "{\"query\": \"my kitten is napping\", \"k\": 2, \"percentiles\": true}");
    assertThat(hits.at("/hits/0/id").asText()).isEqualTo("line-1");
    assertThat(hits.at("/hits/0/metadata/label").asText()).isEqualTo("pets");
    assertThat(hits.get("collection_size").asInt()).isEqualTo(6);
    JsonNode map = post(run.url(), "/maps", "{\"method\": \"pca\", \"index\": \"animals\"}");
    assertThat(map.get("legend").toString())
        .contains("pets")
        .contains("finance")
        .contains("(none)");
    assertThat(run.stop(30)).isZero();

    // a second run reuses the embedded texts
    RunningServer again = start(file.toString(), "--no-browser");
    assertThat(again.err().toString()).contains("reusing").doesNotContain("embedding 6 texts");
    assertThat(get(again.url(), "/info").at("/indexes/0/documents").asInt()).isEqualTo(6);
    assertThat(again.stop(30)).isZero();
  }

  @Test
  void anIndexFolderIsServedAsItIs() throws Exception {
    Path docs = dir.resolve("docs.txt");
    Files.writeString(docs, "nginx runs a website behind a reverse proxy\npostgres stores rows\n");
    Path index = dir.resolve("my-index");
    CommandLine cl = JembedCli.commandLine();
    cl.setOut(new PrintWriter(new StringWriter()));
    cl.setErr(new PrintWriter(new StringWriter()));
    assertThat(cl.execute("index", "create", index.toString())).isZero();
    assertThat(cl.execute("index", "add", index.toString(), docs.toString(), "--lines")).isZero();
    RunningServer run = start(index.toString(), "--no-browser");
    assertThat(get(run.url(), "/explore/config.json").has("version")).isTrue();
    JsonNode info = get(run.url(), "/info");
    assertThat(info.at("/indexes/0/name").asText()).isEqualTo("my-index");
    JsonNode hits = post(run.url(), "/search", "{\"query\": \"web server\", \"k\": 1}");
    assertThat(hits.at("/hits/0/text").asText()).contains("nginx");
    assertThat(run.stop(30)).isZero();
  }

  @Test
  void anEmbeddingsFileIsIndexedWithoutEmbeddingAgain() throws Exception {
    Path texts = dir.resolve("texts.txt");
    Files.writeString(texts, "nginx serves websites\npostgres stores rows\nbread needs flour\n");
    Path npy = dir.resolve("emb.npy");
    CommandLine cl = JembedCli.commandLine();
    cl.setOut(new PrintWriter(new StringWriter()));
    cl.setErr(new PrintWriter(new StringWriter()));
    assertThat(cl.execute("encode", "-i", texts.toString(), "-o", npy.toString())).isZero();
    RunningServer run = start(npy.toString(), "--no-browser");
    assertThat(get(run.url(), "/info").at("/indexes/0/documents").asInt()).isEqualTo(3);
    JsonNode hits = post(run.url(), "/search", "{\"query\": \"baking\", \"k\": 1}");
    assertThat(hits.at("/hits/0/id").asText()).isEqualTo("row-3");
    assertThat(run.stop(30)).isZero();
  }

  @Test
  void badInputsAreUsageErrors() {
    CommandLine cl = JembedCli.commandLine();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(new StringWriter()));
    cl.setErr(new PrintWriter(err, true));
    assertThat(cl.execute("explore", dir.resolve("missing.txt").toString(), "--no-browser"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("missing.txt");
  }
}

package io.jembed.cli;

import static io.jembed.cli.CliRun.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jembed.index.StoreLocation;
import io.jembed.index.StoredDocument;
import io.jembed.index.VectorStore;
import io.jembed.index.VectorStores;
import io.jembed.testing.RequiresServers;
import io.jembed.testing.TestServer;
import io.jembed.testing.TestServers;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The index commands and the server against a real OpenSearch node, with the real model. */
@RequiresServers(TestServer.OPENSEARCH)
class OpenSearchCliTest {
  @TempDir Path tmp;
  private final TestServers.OpenSearch server;
  private final String prefix = "jembed-test-cli-" + UUID.randomUUID().toString().substring(0, 8);

  OpenSearchCliTest(TestServers.OpenSearch server) {
    this.server = server;
  }

  private String location(String name) {
    return "opensearch://127.0.0.1:" + server.baseUri().getPort() + "/" + prefix + "-" + name;
  }

  @AfterEach
  void deleteIndices() throws Exception {
    HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(server.resolve("/" + prefix + "-*")).DELETE().build(),
            HttpResponse.BodyHandlers.discarding());
  }

  @Test
  void createAddSearchStatsDeleteCheckServe() throws Exception {
    String docs = location("docs");
    assertThat(ok("index", "create", docs, "--model", "all-MiniLM-L6-v2").out())
        .contains("created index " + docs)
        .contains("int8");
    Path jsonl = Files.writeString(tmp.resolve("docs.jsonl"), IndexCommandTest.JSONL);
    assertThat(ok("index", "add", docs, jsonl.toString(), "--date-field", "published").out())
        .contains("added 4 documents")
        .contains("holds 4");

    JsonNode hits =
        Json.MAPPER.readTree(
            ok(
                    "index",
                    "search",
                    docs,
                    "-q",
                    "run a website behind a proxy",
                    "--mode",
                    "hybrid",
                    "-f",
                    "year>=2021",
                    "--format",
                    "json")
                .out());
    assertThat(hits).hasSize(3);
    assertThat(hits.get(0).get("id").asText()).isEqualTo("nginx");
    for (JsonNode h : hits) {
      assertThat(h.get("metadata").get("year").asLong()).isGreaterThanOrEqualTo(2021);
    }
    JsonNode dated =
        Json.MAPPER.readTree(
            ok(
                    "index",
                    "search",
                    docs,
                    "-q",
                    "ssh keys",
                    "-f",
                    "published < 2020-01-01",
                    "--format",
                    "json")
                .out());
    assertThat(dated).hasSize(1);
    assertThat(dated.get(0).get("id").asText()).isEqualTo("ssh");

    assertThat(ok("index", "stats", docs).out())
        .contains("documents     4")
        .contains("published (date)")
        .contains("year (number)");
    assertThat(ok("index", "delete", docs, "--id", "ssh", "--id", "nope").out())
        .contains("deleted 1 of 2 ids (1 not found)")
        .contains("holds 3");
    assertThat(ok("index", "check", docs).out()).contains("3 documents");

    RunningServer serve = RunningServer.start("serve", "--port", "0", "--index", "docs=" + docs);
    HttpResponse<String> search =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(serve.server().uri().resolve("/search"))
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"index\": \"docs\", \"query\": \"containers\", \"k\": 2,"
                                + " \"filters\": [\"lang == 'en'\"]}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(search.statusCode()).as(search.body()).isEqualTo(200);
    JsonNode served = Json.MAPPER.readTree(search.body()).get("hits");
    assertThat(served.get(0).get("id").asText()).isEqualTo("docker");
    assertThat(served).allSatisfy(h -> assertThat(h.at("/metadata/lang").asText()).isEqualTo("en"));
    assertThat(serve.stop(60)).isEqualTo(JembedCli.OK);
  }

  @Test
  void copyFolderToOpenSearchAndBackKeepsVectorsBitExact() throws Exception {
    String folder = tmp.resolve("idx").toString();
    ok("index", "create", folder, "--model", "all-MiniLM-L6-v2", "--quantization", "none");
    Path jsonl = Files.writeString(tmp.resolve("docs.jsonl"), IndexCommandTest.JSONL);
    ok("index", "add", folder, jsonl.toString(), "--date-field", "published");
    String remote = location("copy");
    assertThat(ok("index", "copy", folder, remote).out())
        .contains("copied 4 documents")
        .contains("nothing re-embedded");
    String back = tmp.resolve("back").toString();
    ok("index", "copy", remote, back);

    Map<String, StoredDocument> original = export(folder);
    Map<String, StoredDocument> returned = export(back);
    assertThat(returned.keySet()).isEqualTo(original.keySet());
    original.forEach(
        (id, d) -> {
          StoredDocument r = returned.get(id);
          assertThat(r.text()).isEqualTo(d.text());
          assertThat(r.metadata()).isEqualTo(d.metadata());
          assertThat(r.chunks()).hasSameSizeAs(d.chunks());
          for (int i = 0; i < d.chunks().size(); i++) {
            float[] a = d.chunks().get(i).vector();
            float[] b = r.chunks().get(i).vector();
            for (int j = 0; j < a.length; j++) {
              assertThat(Float.floatToRawIntBits(b[j]))
                  .as("%s chunk %d dimension %d", id, i, j)
                  .isEqualTo(Float.floatToRawIntBits(a[j]));
            }
          }
        });
  }

  private static Map<String, StoredDocument> export(String location) {
    Map<String, StoredDocument> docs = new HashMap<>();
    try (VectorStore store = VectorStores.openReadOnly(StoreLocation.parse(location), null)) {
      store.exportDocuments(d -> docs.put(d.id(), d));
    }
    return docs;
  }

  @Test
  void aNodeThatIsDownIsAOneLineErrorNamingTheStore() {
    CliRun run = CliRun.of("index", "stats", "opensearch://127.0.0.1:1/docs");
    assertThat(run.exitCode()).isEqualTo(JembedCli.FAILURE);
    assertThat(run.err().strip())
        .doesNotContain("\n")
        .contains("opensearch://127.0.0.1:1/docs")
        .contains("unreachable");
  }

  @Test
  void int4IsRefusedWithWhatToUseInstead() {
    CliRun run =
        CliRun.of("index", "create", location("q"), "--model", "all-MiniLM-L6-v2", "-q", "int4");
    assertThat(run.exitCode()).isEqualTo(JembedCli.FAILURE);
    assertThat(run.err()).contains("int8 only").contains("--quantization int8 or none");
  }
}

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
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line and the server on a PostgreSQL table, against the real server. */
@RequiresServers(TestServer.POSTGRES)
class PgVectorCliTest {
  @TempDir Path tmp;
  private TestServers.Postgres server;
  private final String prefix =
      String.format(Locale.ROOT, "t_cli_%06x_", ThreadLocalRandom.current().nextInt(1 << 24));
  private final List<String> tables = new ArrayList<>();

  @BeforeEach
  void server(TestServers.Postgres postgres) {
    server = postgres;
  }

  @AfterEach
  void dropTables() {
    for (String t : tables) {
      StoreLocation l = StoreLocation.parse(location(t));
      VectorStores.provider(l).drop(l);
    }
  }

  private String table(String name) {
    tables.add(prefix + name);
    return location(prefix + name);
  }

  private String location(String table) {
    return "postgresql://"
        + server.user()
        + "@"
        + server.host()
        + ":"
        + server.port()
        + "/"
        + server.database()
        + "?table="
        + table;
  }

  @Test
  void createAddSearchStatsDeleteCheckOnATable() throws IOException {
    String docs = table("docs");
    assertThat(ok("index", "create", docs, "--model", "all-MiniLM-L6-v2").out())
        .contains("created index " + docs + " for all-MiniLM-L6-v2 (384-d, int8");
    Path jsonl = Files.writeString(tmp.resolve("docs.jsonl"), IndexCommandTest.JSONL);
    assertThat(ok("index", "add", docs, jsonl.toString(), "--date-field", "published").out())
        .contains("added 4 documents to " + docs + "; it holds 4");
    ok("index", "add", docs, jsonl.toString(), "--date-field", "published"); // again: the same

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
                    "year>=2022",
                    "--format",
                    "json")
                .out());
    assertThat(hits).hasSize(2);
    assertThat(hits.get(0).get("id").asText()).isEqualTo("nginx");
    for (JsonNode h : hits) {
      assertThat(h.at("/metadata/year").asLong()).isGreaterThanOrEqualTo(2022);
    }
    assertThat(ok("index", "search", docs, "-q", "PostgreSQL", "--mode", "keyword").out())
        .startsWith(" 1.")
        .contains("pg");
    assertThat(
            ok("index", "search", docs, "-q", "containers", "-f", "published < 2021-06-15").out())
        .doesNotContain("docker")
        .contains("ssh");

    String stats = ok("index", "stats", docs).out();
    assertThat(stats)
        .contains("documents     4")
        .contains("int8")
        .contains("HNSW graph (halfvec)")
        .contains("full-text index (GIN)")
        .doesNotContain("segments");
    assertThat(ok("index", "delete", docs, "--id", "ssh", "--id", "nope").out())
        .contains("deleted 1 of 2 ids (1 not found)")
        .contains("holds 3");
    assertThat(ok("index", "check", docs).out())
        .contains("ok: " + docs + " holds 3 documents in 3 chunks, every one read back");
  }

  @Test
  void copyGoesLuceneToPostgresqlToLuceneKeepingEveryVectorBit() throws IOException {
    Path lucene = tmp.resolve("lucene");
    ok("index", "create", lucene.toString(), "--model", "fake:bow-32", "--quantization", "int8");
    Path jsonl = Files.writeString(tmp.resolve("docs.jsonl"), IndexCommandTest.JSONL);
    ok("index", "add", lucene.toString(), jsonl.toString(), "--date-field", "published");
    String pg = table("copy");
    assertThat(ok("index", "copy", lucene.toString(), pg).out())
        .contains(
            "copied 4 documents from " + lucene + " to " + pg + " (int8, nothing re-embedded)");
    Path back = tmp.resolve("back");
    assertThat(ok("index", "copy", pg, back.toString()).out()).contains("copied 4 documents");

    Map<String, StoredDocument> before = export(lucene.toString());
    Map<String, StoredDocument> inPg = export(pg);
    Map<String, StoredDocument> after = export(back.toString());
    assertThat(after.keySet()).isEqualTo(before.keySet()).isEqualTo(inPg.keySet());
    for (String id : before.keySet()) {
      for (Map<String, StoredDocument> copy : List.of(inPg, after)) {
        StoredDocument a = before.get(id);
        StoredDocument b = copy.get(id);
        assertThat(b.text()).isEqualTo(a.text());
        assertThat(b.metadata()).isEqualTo(a.metadata());
        assertThat(b.chunks()).hasSameSizeAs(a.chunks());
        for (int i = 0; i < a.chunks().size(); i++) {
          assertThat(bits(b.chunks().get(i).vector()))
              .as(id + " chunk " + i)
              .containsExactly(bits(a.chunks().get(i).vector()));
        }
      }
    }
    CliRun intoExisting = CliRun.of("index", "copy", lucene.toString(), pg);
    assertThat(intoExisting.exitCode()).isEqualTo(1);
    assertThat(intoExisting.err()).contains("cannot copy into " + pg);
    CliRun int4 = CliRun.of("index", "copy", lucene.toString(), table("int4"), "-q", "int4");
    assertThat(int4.exitCode()).isEqualTo(1);
    assertThat(int4.err()).contains("pgvector has no 4-bit vectors").doesNotContain("\tat ");
  }

  private static Map<String, StoredDocument> export(String location) {
    Map<String, StoredDocument> out = new HashMap<>();
    try (VectorStore store = VectorStores.openReadOnly(location, null)) {
      store.exportDocuments(d -> out.put(d.id(), d));
    }
    return out;
  }

  private static int[] bits(float[] v) {
    int[] out = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = Float.floatToRawIntBits(v[i]);
    }
    return out;
  }

  @Test
  void badLocationsAndADownServerAreOneLineErrors() throws IOException, SQLException {
    CliRun password =
        CliRun.of(
            "index", "search", "postgresql://jembed:hunter2@127.0.0.1:5432/db?table=t", "-q", "x");
    assertThat(password.exitCode()).isEqualTo(2);
    assertThat(password.err())
        .contains("a password in a PostgreSQL location is refused")
        .doesNotContain("hunter2");

    // a missing table in a database where pgvector is enabled (not left to whichever test ran
    // first)
    try (Connection c = server.connect();
        Statement s = c.createStatement()) {
      s.execute("CREATE EXTENSION IF NOT EXISTS vector");
    }
    CliRun missing = CliRun.of("index", "search", location(prefix + "never"), "-q", "x");
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err()).contains("no index at").contains("does not exist");

    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String down = "postgresql://jembed@127.0.0.1:" + port + "/jembed?table=docs";
    CliRun refused = CliRun.of("index", "stats", down);
    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(refused.err().strip().lines()).hasSize(1);
    assertThat(refused.err())
        .contains("index at " + down + ": cannot reach PostgreSQL at 127.0.0.1:" + port);
  }

  @Test
  void serveSearchesATable() throws Exception {
    String docs = table("served");
    ok("index", "create", docs, "--model", "fake:bow-32", "--quantization", "none");
    Path jsonl = Files.writeString(tmp.resolve("docs.jsonl"), IndexCommandTest.JSONL);
    ok("index", "add", docs, jsonl.toString());

    RunningServer serve =
        RunningServer.start(
            "serve", "--port", "0", "--model", "fake:bow-32", "--index", "docs=" + docs);
    try {
      URI base = serve.url();
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(base.resolve("/search"))
                      .POST(
                          HttpRequest.BodyPublishers.ofString(
                              "{\"index\": \"docs\", \"query\": \"docker containers\", \"mode\":"
                                  + " \"hybrid\", \"filters\": \"lang == 'en'\", \"k\": 3}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonNode body = Json.MAPPER.readTree(r.body());
      assertThat(body.at("/hits/0/id").asText()).isEqualTo("docker");
      assertThat(body.get("hits")).hasSize(3);
      for (JsonNode h : body.get("hits")) {
        assertThat(h.at("/metadata/lang").asText()).isEqualTo("en");
      }
    } finally {
      serve.stop(30);
    }
  }
}
